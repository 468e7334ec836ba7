"""What the browser fetches: bytes over the wire, requests and DOMContentLoaded for 我的待办,
the ledger and the dashboard, on a first visit (empty cache), a repeat visit right after,
and a repeat visit once a minute has passed (WhiteNoise caches plain file names for 60 s;
hashed names are immutable), in Debian's Chromium driven by Playwright.

Against a running server (`make run`, or any other), logged in as a demo account:

    PORT=8799 make run &        # in a clone, or your own checkout
    .venv/bin/python bench/bench_transfer.py --url http://127.0.0.1:8799 [--later 65]
        [--user coordinator] [--mbps 10]

Bytes are Chromium's own count of what crossed the network (CDP Network.loadingFinished
encodedDataLength: headers and the body as sent, compressed or not); a file the browser
took from its cache costs nothing and is not a request. "page weight" is what the page's
document and files weigh once decoded (Resource Timing decodedBodySize, first visit). DOMContentLoaded
is the navigation's domContentLoadedEventEnd, median of --repeat visits; `--mbps` throttles
the network (CDP Network.emulateNetworkConditions, 20 ms latency) to show what the bytes cost on
a slow link. `--later 0` skips the wait.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from dataclasses import dataclass, field
from typing import Any

from playwright.sync_api import BrowserContext, CDPSession, Page, sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PAGES = [("我的待办", "/"), ("台账", "/cases/"), ("办理概况", "/dashboard/")]
PASSWORD = "huiyin-demo"


@dataclass
class Visit:
    bytes: int = 0
    requests: int = 0
    unpacked: int = 0
    dcl_ms: list[float] = field(default_factory=list)
    encodings: set[str] = field(default_factory=set)


class Recorder:
    """Network events of one page, through its CDP session."""

    def __init__(self, cdp: CDPSession) -> None:
        self.from_network: set[str] = set()
        self.sizes: dict[str, int] = {}
        self.encodings: dict[str, str] = {}
        self.cached: set[str] = set()
        cdp.on("Network.responseReceived", self._response)
        cdp.on("Network.requestServedFromCache", self._cached)
        cdp.on("Network.loadingFinished", self._finished)

    def reset(self) -> None:
        self.from_network.clear()
        self.sizes.clear()
        self.encodings.clear()
        self.cached.clear()

    def _response(self, event: dict[str, Any]) -> None:
        response = event["response"]
        cached = response.get("fromDiskCache") or response.get("fromPrefetchCache")
        if not cached and event["requestId"] not in self.cached:
            self.from_network.add(event["requestId"])
            headers = {k.lower(): v for k, v in response.get("headers", {}).items()}
            self.encodings[event["requestId"]] = headers.get("content-encoding", "none")

    def _cached(self, event: dict[str, Any]) -> None:
        self.from_network.discard(event["requestId"])
        self.cached.add(event["requestId"])

    def _finished(self, event: dict[str, Any]) -> None:
        self.sizes[event["requestId"]] = int(event.get("encodedDataLength") or 0)


def log_in(context: BrowserContext, base: str, username: str) -> None:
    """Log in through the form with Playwright's request API (shares the cookies), so the
    browser's cache stays empty for the first visit."""
    login = context.request.get(f"{base}/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.text())
    if token is None:
        sys.exit(f"no login form at {base}/login/")
    answer = context.request.post(
        f"{base}/login/",
        form={"csrfmiddlewaretoken": token.group(1), "username": username, "password": PASSWORD},
        headers={"Referer": f"{base}/login/"},
        max_redirects=0,
    )
    if answer.status != 302:
        sys.exit(f"login as {username} failed: HTTP {answer.status}")


def visit(
    page: Page, recorder: Recorder, url: str, into: Visit, count: bool, weigh: bool = False
) -> None:
    recorder.reset()
    page.goto(url, wait_until="load")
    page.wait_for_load_state("networkidle")
    page.wait_for_function(
        "performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd > 0"
    )
    timing = page.evaluate(
        """() => {
            const nav = performance.getEntriesByType('navigation')[0];
            const all = [nav, ...performance.getEntriesByType('resource')];
            return {dcl: nav.domContentLoadedEventEnd,
                    unpacked: all.reduce((sum, e) => sum + (e.decodedBodySize || 0), 0)};
        }"""
    )
    into.dcl_ms.append(timing["dcl"])
    if count:
        into.requests = len(recorder.from_network)
        into.bytes = sum(recorder.sizes.get(rid, 0) for rid in recorder.from_network)
        into.encodings = {recorder.encodings[rid] for rid in recorder.from_network}
    if weigh:
        # Of a full load only: a file revalidated with a 304 reports no decoded size.
        into.unpacked = int(timing["unpacked"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--user", default="coordinator")
    parser.add_argument("--later", type=float, default=65, help="seconds before the late visit")
    parser.add_argument("--repeat", type=int, default=5, help="repeat visits for DCL's median")
    parser.add_argument("--mbps", type=float, default=0, help="throttle to this many Mbit/s")
    args = parser.parse_args()
    base = args.url.rstrip("/")

    results: dict[str, dict[str, Visit]] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        sessions = []
        for name, path in PAGES:
            # One context per page: its own empty cache for the first visit.
            context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
            log_in(context, base, args.user)
            page = context.new_page()
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            if args.mbps:
                rate = args.mbps * 1_000_000 / 8
                cdp.send(
                    "Network.emulateNetworkConditions",
                    {
                        "offline": False,
                        "latency": 20,
                        "downloadThroughput": rate,
                        "uploadThroughput": rate,
                    },
                )
            recorder = Recorder(cdp)
            url = base + path
            visits = results[name] = {"first": Visit(), "repeat": Visit()}
            visit(page, recorder, url, visits["first"], count=True, weigh=True)
            for i in range(args.repeat):
                visit(page, recorder, url, visits["repeat"], count=i == 0)
            sessions.append((name, page, recorder, url))
        if args.later:
            print(f"waiting {args.later:.0f} s for the late visit …", file=sys.stderr)
            time.sleep(args.later)
            for name, page, recorder, url in sessions:
                late = results[name]["later"] = Visit()
                visit(page, recorder, url, late, count=True)
        browser.close()

    throttle = f", throttled to {args.mbps:g} Mbit/s" if args.mbps else ""
    print(f"{base}, as {args.user}{throttle}")
    print()
    print(
        "| page | visit | requests | bytes over the wire | page weight (decoded) | encodings | DOMContentLoaded |"
    )
    print("|---|---|---:|---:|---:|---|---:|")
    for name, visits in results.items():
        for label, v in visits.items():
            dcl = statistics.median(v.dcl_ms)
            print(
                f"| {name} | {label} | {v.requests} | {v.bytes / 1024:,.1f} KB | "
                f"{f'{v.unpacked / 1024:,.1f} KB' if v.unpacked else '—'} | {', '.join(sorted(v.encodings)) or '—'} | "
                f"{dcl:,.0f} ms |"
            )


if __name__ == "__main__":
    main()
