"""Rate limits of the anonymous public page, with no third-party service.

Who is asking: the client address (`client_address`), which is REMOTE_ADDR unless that is
one of settings.HUIYIN_TRUSTED_PROXIES (addresses or CIDR networks, default none); then it
is the right-most address of X-Forwarded-For that is not a trusted proxy. The left part of
that header is whatever the client wrote, so it is never read past the first untrusted hop.
IPv6 clients are counted per /64 (one household or phone gets a whole /64).

How often: counters in Django's cache (settings.HUIYIN_PUBLIC_CACHE, default "default"),
one per (scope, key, window), in fixed windows. The project's default cache is Django's
local-memory cache, which is per process: with several web processes each keeps its own
counters, so a limit of 5 lets up to 5 × processes through. For submissions that is closed
by the database: the opinions the public page saved (channel web) from the address or the
phone within the window are counted as well, whatever process saved them.

The limits are settings with defaults here (DEFAULT_RATES); a rate reads "5/hour",
"3/day", "10/minute" or "20/600s".
"""

from __future__ import annotations

import ipaddress
import logging
import re
import time
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from typing import Final

from django.conf import settings
from django.core.cache import BaseCache, caches
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from django.utils import timezone

logger = logging.getLogger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# scope → (setting, default)
DEFAULT_RATES: Final[dict[str, tuple[str, str]]] = {
    # opinions submitted from one address
    "address": ("HUIYIN_PUBLIC_RATE_PER_ADDRESS", "5/hour"),
    # opinions left with one phone number
    "phone": ("HUIYIN_PUBLIC_RATE_PER_PHONE", "3/day"),
    # lookups on the query page (code + last 4 digits) from one address
    "query": ("HUIYIN_PUBLIC_RATE_QUERY", "10/hour"),
    # failed lookups of one tracking code, from anywhere: past this the code cannot be
    # looked up by its digits at all (only by the private link) until the window ends,
    # so the 10,000 possible last-4 digits cannot be tried out, challenge or not
    "code_failures": ("HUIYIN_PUBLIC_RATE_CODE_FAILURES", "10/day"),
    # wrong challenge answers from one address: past this the page answers 429
    "challenge_failures": ("HUIYIN_PUBLIC_RATE_CHALLENGE_FAILURES", "10/hour"),
    # pages of 答复公开 (/disclosure/: list, search, detail) from one address
    "disclosure": ("HUIYIN_PUBLIC_RATE_DISCLOSURE", "120/minute"),
}
UNITS: Final[dict[str, int]] = {
    "s": 1,
    "second": 1,
    "m": 60,
    "minute": 60,
    "h": 3600,
    "hour": 3600,
    "d": 86400,
    "day": 86400,
}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([a-z]+)\s*$")
UNKNOWN_ADDRESS: Final = "unknown"


@dataclass(frozen=True)
class Rate:
    limit: int
    seconds: int

    def window(self) -> timedelta:
        return timedelta(seconds=self.seconds)


@lru_cache(maxsize=32)
def parse_rate(text: str) -> Rate:
    """'5/hour' → Rate(5, 3600); a bad value fails loudly (a settings mistake)."""
    match = _RATE.match(str(text).lower())
    if not match or match.group(3) not in UNITS:
        raise ImproperlyConfigured(
            f"rate {text!r}: expected N/second|minute|hour|day (or N/600s, N/2h …)"
        )
    count, multiple, unit = int(match.group(1)), int(match.group(2) or 1), match.group(3)
    seconds = multiple * UNITS[unit]
    if count < 1 or seconds < 1:
        raise ImproperlyConfigured(f"rate {text!r}: the count and the period must be positive")
    return Rate(count, seconds)


def rate_for(scope: str) -> Rate:
    """The scope's rate from its setting; a malformed setting is logged as an error and the
    default used (the public page never answers 500 for an operator's typo)."""
    setting, default = DEFAULT_RATES[scope]
    value = getattr(settings, setting, None) or default
    try:
        return parse_rate(value)
    except ImproperlyConfigured as exc:
        logger.error("%s: %s; using %s", setting, exc, default)
        return parse_rate(default)


# --- the client's address -------------------------------------------------------------------


def _parse_ip(raw: str) -> IPAddress | None:
    """An address as a proxy may write it: '1.2.3.4', '1.2.3.4:5678', '[2001:db8::1]:443',
    '2001:db8::1'. IPv4-mapped IPv6 is the IPv4 address."""
    value = raw.strip().strip('"')
    if value.startswith("["):
        value = value[1:].split("]", 1)[0]
    elif value.count(":") == 1:  # IPv4 with a port
        value = value.split(":", 1)[0]
    value = value.split("%", 1)[0]  # an IPv6 zone
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _networks(entries: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    """The trusted networks; an entry that is no address or network is logged as an error
    and left out (trusting less is the safe side of a typo)."""
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(str(entry).strip(), strict=False))
        except ValueError:
            logger.error("HUIYIN_TRUSTED_PROXIES: %r is not an address or a network", entry)
    return tuple(networks)


@lru_cache(maxsize=8)
def _trusted(entries: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    return _networks(entries)


def trusted_proxies() -> tuple[IPNetwork, ...]:
    raw = getattr(settings, "HUIYIN_TRUSTED_PROXIES", ()) or ()
    if isinstance(raw, str):
        raw = [part for part in re.split(r"[\s,]+", raw) if part]
    return _trusted(tuple(str(entry) for entry in raw))


def _is_trusted(address: IPAddress, networks: tuple[IPNetwork, ...]) -> bool:
    return any(address.version == net.version and address in net for net in networks)


def client_ip(request: HttpRequest) -> IPAddress | None:
    """The client's address: REMOTE_ADDR, or behind trusted proxies the right-most address
    of X-Forwarded-For that is not one of them. None when nothing readable is there."""
    peer = _parse_ip(str(request.META.get("REMOTE_ADDR") or ""))
    networks = trusted_proxies()
    if peer is None or not networks or not _is_trusted(peer, networks):
        return peer
    forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR") or "")
    seen = peer
    for raw in reversed(forwarded.split(",")):
        if not raw.strip():
            continue
        address = _parse_ip(raw)
        if address is None:
            # Garbage where a proxy should have written an address: the hop that handed it
            # on is the last one known.
            return seen
        if not _is_trusted(address, networks):
            return address
        seen = address
    return seen  # every hop a trusted proxy: the left-most one


def client_address(request: HttpRequest) -> str | None:
    """The client's address as text (stored with the opinion), or None."""
    address = client_ip(request)
    return str(address) if address is not None else None


def address_key(address: str | None) -> str:
    """The counter's key of an address: IPv4 as is, IPv6 by its /64."""
    if not address:
        return UNKNOWN_ADDRESS
    parsed = _parse_ip(address)
    if parsed is None:
        return UNKNOWN_ADDRESS
    if isinstance(parsed, ipaddress.IPv6Address):
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def phone_key(phone: str) -> str:
    """The counter's key of a phone number: its blind index (HMAC-SM3 of its digits, so
    138-1234-1234 = 13812341234), never the number — a database or file cache would keep
    the key in clear."""
    from huiyin.sealed import phone_index

    return phone_index(phone)


# --- counters -------------------------------------------------------------------------------


def _cache() -> BaseCache:
    return caches[getattr(settings, "HUIYIN_PUBLIC_CACHE", None) or "default"]


def _counter_key(scope: str, key: str, rate: Rate) -> tuple[str, int]:
    window = int(time.time()) // rate.seconds
    remaining = rate.seconds - int(time.time()) % rate.seconds
    return f"huiyin:public:rate:{scope}:{rate.seconds}:{window}:{key}", remaining


def count(scope: str, key: str) -> int:
    """How many hits `key` has in the current window of `scope`."""
    rate = rate_for(scope)
    name, _ = _counter_key(scope, key, rate)
    try:
        return int(_cache().get(name, 0))
    except (TypeError, ValueError):
        return 0


def hit(scope: str, key: str) -> int:
    """Count one hit; the new count."""
    rate = rate_for(scope)
    name, remaining = _counter_key(scope, key, rate)
    cache = _cache()
    if cache.add(name, 1, timeout=remaining + 1):
        return 1
    try:
        return int(cache.incr(name))
    except ValueError:  # expired between add and incr
        cache.add(name, 1, timeout=remaining + 1)
        return 1


def exceeded(scope: str, key: str, *, stored: int = 0) -> bool:
    """Whether `key` has used up its rate: the cache's count, or `stored` (what the database
    shows) when that is higher."""
    return max(count(scope, key), stored) >= rate_for(scope).limit


def reset(scope: str, key: str) -> None:
    rate = rate_for(scope)
    _cache().delete(_counter_key(scope, key, rate)[0])


# --- what the database shows ---------------------------------------------------------------


def stored_by_address(address: str | None) -> int:
    """Opinions the public page saved from this address (its /64 for IPv6) in the window."""
    from opinions.models import Channel, Opinion

    if not address:
        return 0
    since = timezone.now() - rate_for("address").window()
    found = Opinion.objects.filter(channel=Channel.WEB, received_at__gte=since)
    key = address_key(address)
    if "/" in key:  # an IPv6 /64: compare in Python (few rows in an hour)
        network = ipaddress.ip_network(key)
        return sum(
            1
            for value in found.exclude(client_address=None).values_list("client_address", flat=True)
            if (ip := _parse_ip(str(value))) is not None and ip in network
        )
    return found.filter(client_address=key).count()


def stored_by_phone(phone: str) -> int:
    """Opinions the public page saved with this phone number in the window."""
    from opinions.models import Channel, Opinion

    if not phone:
        return 0
    from huiyin.sealed import phone_index

    since = timezone.now() - rate_for("phone").window()
    # The phone is sealed (SM4): its blind index finds it, however it was typed.
    return Opinion.objects.filter(
        channel=Channel.WEB, received_at__gte=since, phone_index=phone_index(phone)
    ).count()
