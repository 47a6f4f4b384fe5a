"""Email over SMTP (aiosmtplib): one connection per message, STARTTLS or implicit TLS."""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, parseaddr

import aiosmtplib

from integrations.transport import OutgoingMessage, PermanentFailure, TransientFailure


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    from_address: str
    # None lets aiosmtplib choose: 465 with use_tls, 587 with start_tls, else 25.
    port: int | None = None
    username: str | None = None
    password: str | None = None
    start_tls: bool = True
    use_tls: bool = False
    timeout: float = 30.0

    def __repr__(self) -> str:
        return f"SmtpConfig(host={self.host!r}, port={self.port!r}, username={self.username!r})"


class SmtpTransport:
    def __init__(self, config: SmtpConfig, *, tls_context: ssl.SSLContext | None = None) -> None:
        if config.start_tls and config.use_tls:
            raise ValueError("start_tls and use_tls exclude each other")
        self.config = config
        # Tests pass a context trusting their own certificate; production uses the system's.
        self.tls_context = tls_context
        domain = parseaddr(config.from_address)[1].rpartition("@")[2]
        self._message_id_domain = domain or "playroll.invalid"

    def message_id(self, message: OutgoingMessage) -> str:
        """Stable per notification, so a resent copy is recognised as the same mail."""
        return f"<{message.id}@{self._message_id_domain}>"

    def build(self, message: OutgoingMessage) -> EmailMessage:
        email = EmailMessage()
        email["From"] = self.config.from_address
        email["To"] = message.destination
        email["Subject"] = message.subject
        email["Date"] = formatdate(usegmt=True)
        email["Message-ID"] = self.message_id(message)
        # RFC 3834: tells vacation responders not to answer a machine.
        email["Auto-Submitted"] = "auto-generated"
        email.set_content(message.body)
        # After set_content, which drops every Content-* header.
        email["Content-Language"] = message.language
        return email

    async def send(self, message: OutgoingMessage) -> str | None:
        config = self.config
        try:
            email = self.build(message)
        except ValueError as e:
            # A header the email library refuses (a line break in a name): no retry helps.
            raise PermanentFailure(f"cannot build the email: {e}") from None
        try:
            await aiosmtplib.send(
                email,
                hostname=config.host,
                port=config.port,
                username=config.username,
                password=config.password,
                start_tls=config.start_tls,
                use_tls=config.use_tls,
                tls_context=self.tls_context,
                timeout=config.timeout,
            )
        except aiosmtplib.SMTPRecipientsRefused as e:
            replies = "; ".join(f"{r.code} {r.message}" for r in e.recipients)
            code = min((r.code for r in e.recipients), default=0)
            raise _by_code(code, f"recipient refused: {replies}") from None
        except (
            aiosmtplib.SMTPConnectResponseError,
            aiosmtplib.SMTPHeloError,
            aiosmtplib.SMTPAuthenticationError,
            aiosmtplib.SMTPSenderRefused,
        ) as e:
            # The server refused us, our account or our From address, not this message:
            # fixing that fixes every message, so they wait rather than fail for good.
            raise TransientFailure(f"SMTP {e.code}: {e.message}") from None
        except aiosmtplib.SMTPResponseException as e:
            raise _by_code(e.code, e.message) from None
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as e:
            # Connection refused or dropped, timeouts, TLS handshake errors, no STARTTLS.
            raise TransientFailure(f"{type(e).__name__}: {e}") from None
        return self.message_id(message)

    async def aclose(self) -> None:
        return None


def _by_code(code: int, text: str) -> TransientFailure | PermanentFailure:
    """SMTP's own rule: 4xx means try again later, 5xx means do not."""
    error = f"SMTP {code}: {text}"
    return PermanentFailure(error) if 500 <= code < 600 else TransientFailure(error)
