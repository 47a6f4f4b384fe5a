"""Runtime settings, read once from the environment (prefix ``PLAYROLL_``) or ``.env``."""

from __future__ import annotations

import logging
from typing import Annotated

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

logger = logging.getLogger(__name__)

# Used only in debug mode when no key is configured, so a developer's demo keeps working
# across restarts (PIN lookups are keyed by it). Never accepted outside debug.
_DEBUG_ONLY_SECRET_KEY = "playroll-debug-only-secret-key-do-not-use-in-production"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PLAYROLL_", env_file=".env", extra="ignore")

    database_url: str = "sqlite://playroll.db"
    broadcast_url: str = "memory://"
    secret_key: SecretStr | None = None
    debug: bool = False

    # Public base URL used to build every link sent to people; never the Host header.
    base_url: str = "http://localhost:8000"
    # Browser origins allowed to open WebSockets; requests without Origin are allowed.
    allowed_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)

    session_lifetime_hours: int = 12
    # A paired tablet keeps its device token this long, unless revoked first.
    kiosk_session_lifetime_days: int = 365

    # GraphQL document limits (reliability.md #1).
    max_query_depth: int = 10
    max_aliases: int = 15
    max_tokens: int = 2000
    max_root_fields: int = 10
    max_body_bytes: int = 1024 * 1024
    max_ws_frame_bytes: int = 64 * 1024
    max_subscriptions_per_connection: int = 20
    connection_init_wait_seconds: float = 10.0
    # Events a socket may fall behind before it is closed as a slow consumer.
    subscriber_queue_limit: int = 100

    # Login throttling (reliability plan L13).
    login_account_max_failures: int = 10
    login_account_window_minutes: int = 15
    login_ip_max_failures: int = 20
    login_ip_window_minutes: int = 1

    # Tolerated tablet clock drift before an attendance time counts as "in the future".
    clock_skew_seconds: int = 120

    @model_validator(mode="before")
    @classmethod
    def _split_origins(cls, data: object) -> object:
        if isinstance(data, dict):
            origins = data.get("allowed_origins")
            if isinstance(origins, str):
                data["allowed_origins"] = [o.strip() for o in origins.split(",") if o.strip()]
        return data

    @model_validator(mode="after")
    def _require_secret_outside_debug(self) -> Settings:
        if self.secret_key is None:
            if not self.debug:
                raise ValueError(
                    "PLAYROLL_SECRET_KEY is required when PLAYROLL_DEBUG is off (generate one "
                    "with: python -c 'import secrets; print(secrets.token_urlsafe(48))')"
                )
            logger.warning("PLAYROLL_SECRET_KEY is not set: using the debug-only key")
            self.secret_key = SecretStr(_DEBUG_ONLY_SECRET_KEY)
        elif len(self.secret_key.get_secret_value()) < 32:
            raise ValueError("PLAYROLL_SECRET_KEY must be at least 32 characters")
        return self

    @property
    def secret(self) -> bytes:
        assert self.secret_key is not None  # set by the validator
        return self.secret_key.get_secret_value().encode()
