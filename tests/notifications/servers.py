"""Real servers on free loopback ports: an SMTP server (aiosmtpd) and an SMS provider."""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import socket
import ssl
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import uvicorn
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.waiting import eventually


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


# ---- SMTP ------------------------------------------------------------------------------


@dataclass
class Mailbox:
    """What the SMTP server accepted, and how it should answer each recipient."""

    received: list[EmailMessage] = field(default_factory=list)
    # Recipient address -> SMTP reply to RCPT TO, e.g. "550 5.1.1 no such user".
    refuse: dict[str, str] = field(default_factory=dict)
    logins: list[str] = field(default_factory=list)

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        assert isinstance(envelope.content, bytes)
        mail = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(mail, EmailMessage)
        self.received.append(mail)
        return "250 Message accepted for delivery"


@dataclass(frozen=True)
class Certificate:
    server: ssl.SSLContext
    client: ssl.SSLContext


def make_certificate() -> Certificate:
    """A self-signed certificate for 127.0.0.1, and a client context trusting only it."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "playroll-test")])
    # Checked by OpenSSL against the machine's real clock, which tests may shift (or
    # time-machine may fake for Python only): valid for decades either side.
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=365 * 20))
        .not_valid_after(now + dt.timedelta(days=365 * 20))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_pem = cert.public_bytes(serialization.Encoding.PEM)
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    # load_cert_chain only reads files; the pair is tiny and lives for one test.
    with tempfile.TemporaryDirectory() as tmp:
        cert_file, key_file = Path(tmp) / "cert.pem", Path(tmp) / "key.pem"
        cert_file.write_bytes(cert_pem)
        key_file.write_bytes(key_pem)
        server.load_cert_chain(cert_file, key_file)
    client = ssl.create_default_context(cadata=cert_pem.decode())
    return Certificate(server=server, client=client)


@dataclass
class SmtpServer:
    port: int
    mailbox: Mailbox


@asynccontextmanager
async def smtp_server(
    *,
    implicit_tls: ssl.SSLContext | None = None,
    starttls: ssl.SSLContext | None = None,
    credentials: tuple[str, str] | None = None,
) -> AsyncIterator[SmtpServer]:
    """aiosmtpd in its own thread; with ``credentials`` it requires AUTH (over TLS)."""
    mailbox = Mailbox()
    options: dict[str, Any] = {}
    if starttls is not None:
        options |= {"tls_context": starttls, "require_starttls": True}
    if credentials is not None:

        def authenticate(
            server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
        ) -> AuthResult:
            ok = (
                isinstance(data, LoginPassword)
                and (
                    data.login.decode(),
                    data.password.decode(),
                )
                == credentials
            )
            if ok:
                mailbox.logins.append(data.login.decode())
            # handled=False: aiosmtpd answers the failure (535) itself.
            return AuthResult(success=ok, handled=False)

        options["authenticator"] = authenticate
        if implicit_tls is None:
            options["auth_required"] = True
        else:
            # aiosmtpd only counts STARTTLS as TLS when deciding to offer AUTH (and warns
            # when AUTH is required without it); this connection is TLS from the first
            # byte, so AUTH is offered, and ``logins`` shows whether the client used it.
            options["auth_require_tls"] = False
    port = free_port()
    controller = Controller(
        mailbox, hostname="127.0.0.1", port=port, ssl_context=implicit_tls, **options
    )
    # start() blocks until the server answers; keep the test's event loop free meanwhile.
    await asyncio.to_thread(controller.start)
    try:
        yield SmtpServer(port=port, mailbox=mailbox)
    finally:
        await asyncio.to_thread(controller.stop)


# ---- SMS provider ----------------------------------------------------------------------


@dataclass(frozen=True)
class SmsRequest:
    headers: dict[str, str]
    json: Any


@dataclass
class SmsProvider:
    url: str
    token: str
    requests: list[SmsRequest] = field(default_factory=list)
    # Answers given in order, then ``200 {"id": "SM<n>"}`` for every later request.
    answers: list[int] = field(default_factory=list)
    # When set, requests wait for it (to make a client time out).
    hold: asyncio.Event | None = None


@asynccontextmanager
async def sms_provider(token: str = "test-sms-token") -> AsyncIterator[SmsProvider]:
    """A tiny provider under a real uvicorn socket, recording every request."""
    port = free_port()
    provider = SmsProvider(url=f"http://127.0.0.1:{port}/v1/messages", token=token)

    async def messages(request: Request) -> Response:
        provider.requests.append(SmsRequest(dict(request.headers), await request.json()))
        if provider.hold is not None:
            await provider.hold.wait()
        if provider.answers:
            status = provider.answers.pop(0)
            return JSONResponse({"error": "scripted failure"}, status_code=status)
        return JSONResponse({"id": f"SM{len(provider.requests)}", "status": "queued"})

    app = Starlette(routes=[Route("/v1/messages", messages, methods=["POST"])])
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    task = asyncio.create_task(server.serve())
    try:
        await eventually(lambda: server.started)  # uvicorn offers no started event
        yield provider
    finally:
        if provider.hold is not None:
            provider.hold.set()
        server.should_exit = True
        await asyncio.wait_for(task, 10)
