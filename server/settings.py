"""Runtime settings, read once from the environment (prefix ``PLAYROLL_``) or ``.env``."""

from __future__ import annotations

import logging
from email.utils import parseaddr
from typing import TYPE_CHECKING, Annotated, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from auth.keys import Keyring

if TYPE_CHECKING:
    from services.subsidy import CredentialCheck

logger = logging.getLogger(__name__)

# Used only in debug mode when no key is configured, so a developer's demo keeps working
# across restarts (PIN lookups are keyed by it). Never accepted outside debug.
# Tortoise's names for asyncpg; "postgresql" is libpq's spelling.
_POSTGRES_SCHEMES = {"postgres", "postgresql", "asyncpg"}
_DEBUG_ONLY_SECRET_KEY = "playroll-debug-only-secret-key-do-not-use-in-production"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PLAYROLL_", env_file=".env", extra="ignore")

    database_url: str = "sqlite://playroll.db"
    broadcast_url: str = "memory://"
    secret_key: SecretStr | None = None
    # During a key rotation: the key being replaced, kept to read what it protected until
    # `playroll rotate-keys` has re-keyed it (README, "Key rotation").
    secret_key_previous: SecretStr | None = None
    debug: bool = False

    # Public base URL used to build every link sent to people; never the Host header.
    base_url: str = "http://localhost:8000"
    # Browser origins allowed to open WebSockets; requests without Origin are allowed.
    allowed_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)

    session_lifetime_hours: int = 12
    # How long a token's principal is reused without reading the session (server/
    # session_cache.py); an announced access change drops it at once. 0: off.
    session_cache_seconds: float = Field(default=1.0, ge=0, le=1.0)
    # A paired tablet keeps its device token this long, unless revoked first.
    kiosk_session_lifetime_days: int = 365

    # GraphQL document limits (reliability.md #1).
    max_query_depth: int = 10
    max_aliases: int = 15
    max_tokens: int = 2000
    max_root_fields: int = 10
    max_query_cost: int = 300
    max_body_bytes: int = 1024 * 1024
    # Arrays and objects nested deeper than this in a request body or WebSocket message are
    # refused before parsing (Python's parser would otherwise recurse until it fails).
    max_json_depth: int = Field(default=64, ge=1, le=500)
    max_ws_frame_bytes: int = 64 * 1024
    max_subscriptions_per_connection: int = 20
    connection_init_wait_seconds: float = 10.0
    # Events a socket may fall behind before it is closed as a slow consumer.
    subscriber_queue_limit: int = 100
    # Sockets with identical subscriptions share one execution per event (server/fanout.py);
    # off, each socket executes its own (the reference the shared delivery is tested against).
    shared_subscriptions: bool = True
    # permessage-deflate on WebSockets: off, since it costs each socket a compression of
    # every frame (bench, deflate on vs off: 49 vs 36 us per socket per change; README).
    ws_deflate: bool = False

    # Login throttling (reliability plan L13).
    login_account_max_failures: int = 10
    login_account_window_minutes: int = 15
    login_ip_max_failures: int = 20
    login_ip_window_minutes: int = 1

    # Tolerated tablet clock drift before an attendance time counts as "in the future".
    clock_skew_seconds: int = 120

    # Notification delivery (`playroll worker`). The console backends print messages to
    # stdout (bodies only in debug mode, since they carry PINs and codes).
    email_backend: Literal["console", "smtp"] = "console"
    sms_backend: Literal["console", "http"] = "console"
    smtp_host: str | None = None
    # None lets the SMTP client pick 465 (implicit TLS), 587 (STARTTLS) or 25.
    smtp_port: int | None = Field(default=None, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = True
    smtp_use_tls: bool = False
    email_from: str | None = None
    sms_url: str | None = None
    sms_token: SecretStr | None = None
    # With the worker's backoff (30 s doubling to 1 h) 10 tries span about 1.5 to 3 hours.
    notification_max_attempts: int = Field(default=10, ge=1, le=100)
    # Messages one email address or phone number may be sent per hour, all causes together.
    notification_destination_hourly_cap: int = Field(default=10, ge=1)
    worker_poll_seconds: float = Field(default=5.0, gt=0, le=3600)
    # Whether `playroll serve` also runs the background jobs. Unset: yes on the embedded
    # SQLite default (one process does everything), no otherwise (run `playroll worker`).
    jobs_in_process: bool | None = None

    # Uploaded files (attachments): a local directory on the embedded default, or an
    # S3-compatible bucket (README "Files and attachments").
    file_storage: Literal["local", "s3"] = "local"
    files_dir: str = "playroll-files"
    s3_bucket: str | None = None
    s3_endpoint_url: str | None = None
    s3_region: str | None = None
    s3_access_key_id: str | None = None
    s3_secret_access_key: SecretStr | None = None
    s3_prefix: str = ""
    # One uploaded file at most (bytes); images are also capped in pixels.
    max_upload_bytes: int = Field(default=10 * 1024 * 1024, ge=1024, le=100 * 1024 * 1024)
    # How long a signed file link works.
    file_link_seconds: int = Field(default=300, ge=10, le=86400)
    # The state subsidy system (README, "State subsidy export"): "http" speaks the JSON
    # protocol at subsidy_url, "csv" writes upload files under subsidy_export_dir.
    subsidy_backend: Literal["none", "http", "csv"] = "none"
    subsidy_url: str | None = None
    subsidy_auth: Literal["basic", "bearer"] = "basic"
    subsidy_export_dir: str | None = None
    subsidy_timeout_seconds: float = Field(default=10.0, gt=0, le=120)

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, url: str) -> str:
        parts = urlsplit(url)
        if parts.scheme == "sqlite" and (parts.netloc or parts.path):
            return url
        if parts.scheme in _POSTGRES_SCHEMES and parts.hostname and parts.path.strip("/"):
            return url
        raise ValueError(
            "use sqlite://FILE (e.g. sqlite://playroll.db) or "
            "postgres://USER:PASSWORD@HOST:5432/DATABASE"
        )

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
        previous = self.secret_key_previous
        if previous is not None:
            if len(previous.get_secret_value()) < 32:
                raise ValueError("PLAYROLL_SECRET_KEY_PREVIOUS must be at least 32 characters")
            if previous.get_secret_value() == self.secret_key.get_secret_value():
                raise ValueError(
                    "PLAYROLL_SECRET_KEY_PREVIOUS is the same as PLAYROLL_SECRET_KEY: set the "
                    "new key in PLAYROLL_SECRET_KEY and the old one in the previous key"
                )
        return self

    @model_validator(mode="after")
    def _check_notification_backends(self) -> Settings:
        if self.email_backend == "smtp":
            if not self.smtp_host:
                raise ValueError("PLAYROLL_EMAIL_BACKEND=smtp needs PLAYROLL_SMTP_HOST")
            if not self.email_from or "@" not in parseaddr(self.email_from)[1]:
                raise ValueError(
                    "PLAYROLL_EMAIL_BACKEND=smtp needs PLAYROLL_EMAIL_FROM (an email address)"
                )
        if self.smtp_use_tls and self.smtp_starttls:
            # STARTTLS is only the default: asking for implicit TLS alone turns it off.
            if "smtp_starttls" in self.model_fields_set:
                raise ValueError(
                    "PLAYROLL_SMTP_STARTTLS and PLAYROLL_SMTP_USE_TLS exclude each other: "
                    "STARTTLS upgrades a plain connection (port 587), USE_TLS starts with TLS "
                    "(port 465)"
                )
            self.smtp_starttls = False
        if (self.smtp_username is None) != (self.smtp_password is None):
            raise ValueError("PLAYROLL_SMTP_USERNAME and PLAYROLL_SMTP_PASSWORD go together")
        if self.sms_backend == "http":
            if not self.sms_url or not self.sms_token:
                raise ValueError(
                    "PLAYROLL_SMS_BACKEND=http needs PLAYROLL_SMS_URL and PLAYROLL_SMS_TOKEN"
                )
            url = urlsplit(self.sms_url)
            # The bearer token must not cross the network in clear; loopback is for tests
            # and local relays.
            loopback = url.hostname in {"localhost", "127.0.0.1", "::1"}
            if url.scheme != "https" and not (url.scheme == "http" and (loopback or self.debug)):
                raise ValueError("PLAYROLL_SMS_URL must be an https:// URL")
        return self

    @model_validator(mode="after")
    def _check_file_storage(self) -> Settings:
        if self.file_storage == "s3" and not self.s3_bucket:
            raise ValueError("PLAYROLL_FILE_STORAGE=s3 needs PLAYROLL_S3_BUCKET")
        if (self.s3_access_key_id is None) != (self.s3_secret_access_key is None):
            raise ValueError(
                "PLAYROLL_S3_ACCESS_KEY_ID and PLAYROLL_S3_SECRET_ACCESS_KEY go together"
            )
        return self

    def subsidy_check(self) -> CredentialCheck:
        """The connect-time check of a site's state credentials (one short call)."""
        from jobs.subsidy import credential_check

        return credential_check(self)

    @property
    def runs_jobs_in_process(self) -> bool:
        if self.jobs_in_process is not None:
            return self.jobs_in_process
        return self.database_url.startswith("sqlite")

    @property
    def secret(self) -> Keyring:
        """The keys derived from the secret key (and the previous one, during a rotation)."""
        assert self.secret_key is not None  # set by the validator
        previous = self.secret_key_previous
        return Keyring.from_secrets(
            self.secret_key.get_secret_value().encode(),
            previous.get_secret_value().encode() if previous is not None else None,
        )
