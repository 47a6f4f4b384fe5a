"""Which transport carries each channel, chosen by the settings."""

from __future__ import annotations

from typing import Literal, Protocol

from pydantic import SecretStr

from integrations.console import ConsoleTransport
from integrations.email import SmtpConfig, SmtpTransport
from integrations.sms import HttpSmsTransport
from integrations.transport import Transport
from models.people import ContactMethod


class DeliverySettings(Protocol):
    """The part of ``server.settings.Settings`` delivery reads (jobs sit below server)."""

    @property
    def debug(self) -> bool: ...
    @property
    def email_backend(self) -> Literal["console", "smtp"]: ...
    @property
    def sms_backend(self) -> Literal["console", "http"]: ...
    @property
    def smtp_host(self) -> str | None: ...
    @property
    def smtp_port(self) -> int | None: ...
    @property
    def smtp_username(self) -> str | None: ...
    @property
    def smtp_password(self) -> SecretStr | None: ...
    @property
    def smtp_starttls(self) -> bool: ...
    @property
    def smtp_use_tls(self) -> bool: ...
    @property
    def email_from(self) -> str | None: ...
    @property
    def sms_url(self) -> str | None: ...
    @property
    def sms_token(self) -> SecretStr | None: ...


def build_transports(settings: DeliverySettings) -> dict[ContactMethod, Transport]:
    """One transport per channel; the settings validator has checked what each needs."""
    email: Transport
    if settings.email_backend == "smtp":
        assert settings.smtp_host
        assert settings.email_from
        password = settings.smtp_password
        email = SmtpTransport(
            SmtpConfig(
                host=settings.smtp_host,
                port=settings.smtp_port,
                username=settings.smtp_username,
                password=password.get_secret_value() if password else None,
                start_tls=settings.smtp_starttls,
                use_tls=settings.smtp_use_tls,
                from_address=settings.email_from,
            )
        )
    else:
        email = ConsoleTransport("EMAIL", show_body=settings.debug)
    sms: Transport
    if settings.sms_backend == "http":
        assert settings.sms_url
        assert settings.sms_token
        sms = HttpSmsTransport(settings.sms_url, settings.sms_token.get_secret_value())
    else:
        sms = ConsoleTransport("SMS", show_body=settings.debug)
    return {ContactMethod.EMAIL: email, ContactMethod.SMS: sms}
