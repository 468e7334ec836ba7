"""The channels a message goes out by. A channel is a class with a `name`, a `label`,
`wants(recipient, preference)` (does this user get messages this way) and `send(message)`
(deliver one; raise to have it retried later, raise `Undeliverable` to give up at once),
and optionally `batch()`, a context manager around the sends of one delivery pass (the
e-mail channel keeps one SMTP connection open through it).

The channels in use are listed by the setting HUIYIN_NOTIFY_CHANNELS (dotted paths); adding
SMS or 政务微信 is one class and one line there (docs/notifications.md). The rules that
decide what to send (reminders, 催办) never name a channel.
"""

import logging
import smtplib
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from email.utils import parseaddr
from functools import cache
from typing import Any, ClassVar

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.loader import render_to_string
from django.utils.module_loading import import_string

from huiyin.types import User
from notify.models import Message, Notification, Preference

logger = logging.getLogger(__name__)

DEFAULT_CHANNELS = ["notify.channels.InAppChannel", "notify.channels.EmailChannel"]


class Undeliverable(Exception):
    """A message that can never be delivered (no address, refused for good): marked failed
    at once instead of being retried."""


def unreachable(exc: BaseException) -> bool:
    """Whether a send failed to reach the far side at all (refused, reset, timed out, the
    SMTP server hung up), rather than being an answer of the far side about this message.
    A channel unreachable a few times in a row is left alone for the rest of the pass."""
    if isinstance(exc, (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError)):
        return True
    return isinstance(exc, OSError) and not isinstance(exc, smtplib.SMTPException)


def _refused_for_good(exc: smtplib.SMTPException) -> bool:
    """An SMTP refusal that a retry cannot change: a 5xx answer to the sender, to every
    recipient, or to the mail itself (a 4xx is temporary: greylisting, a full queue)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        return bool(codes) and all(500 <= code < 600 for code in codes)
    if isinstance(exc, (smtplib.SMTPSenderRefused, smtplib.SMTPDataError)):
        return 500 <= exc.smtp_code < 600
    return False


class Channel(ABC):
    name: ClassVar[str]
    label: ClassVar[str]

    @abstractmethod
    def wants(self, recipient: User, preference: Preference) -> bool:
        """Whether `recipient` gets messages by this channel (decided when queued)."""

    @abstractmethod
    def send(self, message: Message) -> None:
        """Deliver one message. Called at least once and, barring a crash between the
        delivery and the write that records it, exactly once per message."""

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Around the sends of one delivery pass (in the same thread): a channel that holds
        a connection keeps it open here and closes it at the end. Nothing by default."""
        yield


class InAppChannel(Channel):
    """The bell: a Notification row. Always on."""

    name = "inapp"
    label = "站内通知"

    def wants(self, recipient: User, preference: Preference) -> bool:
        return True

    def send(self, message: Message) -> None:
        Notification.objects.get_or_create(
            message=message,
            defaults={
                "recipient_id": message.recipient_id,
                "case_id": message.case_id,
                "kind": message.kind,
                "title": message.subject,
                "body": message.text,
                "link": message.link,
            },
        )


def absolute_url(link: str) -> str:
    """A path of the site as a full address for a mail (HUIYIN_SITE_URL)."""
    if not link or "://" in link:
        return link
    return settings.HUIYIN_SITE_URL.rstrip("/") + "/" + link.lstrip("/")


class EmailChannel(Channel):
    """A mail of plain text plus HTML by Django's mail backend (SMTP when EMAIL_URL or
    EMAIL_HOST is set, the console otherwise). The message's link is added to both parts
    as a full address unless the part already carries it."""

    name = "email"
    label = "电子邮件"

    def wants(self, recipient: User, preference: Preference) -> bool:
        return bool(preference.email and recipient.email)

    def send(self, message: Message) -> None:
        address = message.recipient.email
        if not address:
            raise Undeliverable("收件人没有电子邮件地址")
        url = absolute_url(message.link)
        text = message.text
        if url and url not in text:
            text = f"{text.rstrip()}\n\n查看：{url}\n"
        html = render_to_string(
            "notify/email/message.html",
            {
                "message": message,
                "body_html": message.html,
                # A button to the link, unless the caller's HTML links it already.
                "url": url if url and url not in message.html else "",
            },
        )
        connection = self._open()
        mail = EmailMultiAlternatives(
            subject=message.subject,
            body=text,
            to=[address],
            headers=_headers(message),
            connection=connection,
        )
        mail.attach_alternative(html, "text/html")
        try:
            mail.send(fail_silently=False)
        except smtplib.SMTPException as exc:
            if _refused_for_good(exc):
                raise Undeliverable(f"邮件服务器拒收：{exc}") from exc
            self._drop()
            raise
        except Exception:
            self._drop()
            raise

    # One connection per pass: the batch's, opened at its first send (so a pass of in-app
    # messages only connects to nothing) and dropped after a failure, so that the next send
    # connects afresh. Per thread: the channel object is shared (channels() is cached).
    _local = threading.local()

    @contextmanager
    def batch(self) -> Iterator[None]:
        self._local.connection = get_connection(fail_silently=False)
        self._local.opened = False
        try:
            yield
        finally:
            if self._local.opened:
                try:
                    self._local.connection.close()
                except Exception:  # a QUIT that fails: the mails are sent already
                    logger.warning("closing the SMTP connection failed", exc_info=True)
            self._local.connection = None
            self._local.opened = False

    def _open(self) -> BaseEmailBackend | None:
        """The batch's connection, open; None outside a batch (Django's own, per mail)."""
        connection: BaseEmailBackend | None = getattr(self._local, "connection", None)
        if connection is not None and not self._local.opened:
            connection.open()
            self._local.opened = True
        return connection

    def _drop(self) -> None:
        """Forget the batch's connection after a failure, without a QUIT that a hanging
        server would make wait another EMAIL_TIMEOUT: only the socket is closed."""
        connection = getattr(self._local, "connection", None)
        if connection is None or not self._local.opened:
            return
        self._local.opened = False
        socket = getattr(connection, "connection", None)  # the SMTP backend's smtplib.SMTP
        if socket is not None:
            try:
                socket.close()
            except OSError:
                pass
            connection.connection = None


def _headers(message: Message) -> dict[str, Any]:
    # The same Message-ID for every attempt: a mail server (or a reader) that saw the first
    # of two deliveries can recognise the second.
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "huiyin.local"
    return {"Message-ID": f"<huiyin-{message.pk}@{domain}>", "Auto-Submitted": "auto-generated"}


@cache
def channels() -> dict[str, Channel]:
    """The channels in use, by name, in the order of HUIYIN_NOTIFY_CHANNELS."""
    found: dict[str, Channel] = {}
    for path in getattr(settings, "HUIYIN_NOTIFY_CHANNELS", DEFAULT_CHANNELS):
        channel = import_string(path)()
        found[channel.name] = channel
    return found


def channel(name: str) -> Channel | None:
    return channels().get(name)


@receiver(setting_changed)
def _forget_channels(*, setting: str, **kwargs: Any) -> None:
    if setting == "HUIYIN_NOTIFY_CHANNELS":
        channels.cache_clear()
