"""Fixtures of notify's tests: a logged-in client and a real SMTP
server (aiosmtpd) on a free local port that a test can stop and start again."""

import socket
from collections.abc import Iterator
from email import message_from_bytes
from email.message import Message as EmailMessage
from email.policy import default as default_policy
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.test import Client


@pytest.fixture
def client_for(db):
    def make(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


class Mailbox:
    """What the SMTP server received: (envelope recipients, parsed mail) per mail, and how
    many connections said EHLO. `refuse` maps an address to the answer to its RCPT (e.g.
    "550 5.1.1 no such user"); `reject` is the answer to the DATA of every mail."""

    def __init__(self) -> None:
        self.mails: list[tuple[list[str], EmailMessage]] = []
        self.connections = 0
        self.refuse: dict[str, str] = {}
        self.reject = ""

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.reject:
            return self.reject
        mail = message_from_bytes(envelope.original_content, policy=default_policy)
        self.mails.append((list(envelope.rcpt_tos), mail))
        return "250 Message accepted for delivery"


class SmtpServer:
    """A real SMTP server on 127.0.0.1:`port`; `stop()` makes the port refuse connections
    (the mail server is down), `start()` brings it back on the same port."""

    def __init__(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.mailbox = Mailbox()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def mails(self) -> list[tuple[list[str], EmailMessage]]:
        return self.mailbox.mails


@pytest.fixture
def smtp(settings) -> Iterator[SmtpServer]:
    server = SmtpServer()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    settings.HUIYIN_SITE_URL = "https://huiyin.example.gov.cn"
    server.start()
    try:
        yield server
    finally:
        server.stop()
