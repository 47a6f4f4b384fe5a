"""The per-request (or per-socket) context every resolver receives."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from starlette.requests import Request
from starlette.websockets import WebSocket
from strawberry.types import Info as StrawberryInfo

from auth.keys import Keyring
from auth.principals import KioskPrincipal, Principal, StaffPrincipal, is_kiosk, is_staff
from realtime.bus import EventBus
from resolvers.loaders import Loaders
from services.access import ThrottlePolicy
from services.clock import Clock
from services.subsidy import CredentialCheck


class AppSettings(Protocol):
    """The settings resolvers read (``server.settings.Settings`` provides them)."""

    debug: bool
    session_lifetime_hours: int
    kiosk_session_lifetime_days: int
    clock_skew_seconds: int
    login_account_max_failures: int
    login_account_window_minutes: int
    login_ip_max_failures: int
    login_ip_window_minutes: int
    notification_destination_hourly_cap: int
    # Links in messages are built from this, never from the request's Host header.
    base_url: str
    # How long a signed file link works.
    file_link_seconds: int

    @property
    def secret(self) -> Keyring: ...

    def subsidy_check(self) -> CredentialCheck: ...


@dataclass
class Context:
    request: Request | WebSocket
    principal: Principal
    settings: AppSettings
    bus: EventBus
    clock: Clock
    loaders: Loaders = field(default_factory=Loaders)
    # strawberry's HTTP view: status codes and headers of the response.
    response: Any = None
    # strawberry's WebSocket handler: the ``connection_init`` payload.
    connection_params: Any = None

    def now(self) -> datetime:
        return self.clock.now()

    @property
    def staff(self) -> StaffPrincipal:
        """The staff principal; permission classes have already refused anyone else."""
        assert is_staff(self.principal), "field must declare a staff permission"
        return self.principal

    @property
    def kiosk(self) -> KioskPrincipal:
        """The kiosk principal; the IsKiosk permission class has already refused others."""
        assert is_kiosk(self.principal), "field must declare IsKiosk"
        return self.principal

    @property
    def clock_skew(self) -> timedelta:
        return timedelta(seconds=self.settings.clock_skew_seconds)

    @property
    def throttle_policy(self) -> ThrottlePolicy:
        s = self.settings
        return ThrottlePolicy(
            account_max_failures=s.login_account_max_failures,
            account_window=timedelta(minutes=s.login_account_window_minutes),
            ip_max_failures=s.login_ip_max_failures,
            ip_window=timedelta(minutes=s.login_ip_window_minutes),
        )


Info = StrawberryInfo[Context, None]
