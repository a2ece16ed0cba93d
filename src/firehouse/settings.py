"""Process settings, read once from FIREHOUSE_* environment variables.

Organisation data (services, people, policy) is *not* here: it lives in firehouse.yaml and,
once applied, in the database, so that every process of a deployment sees the same truth.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FIREHOUSE_", extra="ignore")

    database_url: str = Field(
        default="sqlite:///var/firehouse.db",
        description="SQLAlchemy URL; sqlite:///path or postgresql+psycopg://user@host/db.",
    )
    database_pool_size: int = Field(
        default=10,
        ge=1,
        le=200,
        description=(
            "PostgreSQL connections each process keeps, and twice as many more in bursts. All "
            "processes together must stay under the server's max_connections."
        ),
    )
    listen_database_url: str | None = Field(
        default=None,
        description=(
            "A direct PostgreSQL URL for the live-update listener, when FIREHOUSE_DATABASE_URL "
            "goes through PgBouncer in transaction mode (which cannot keep a LISTEN)."
        ),
    )
    config: str | None = Field(default=None, description="Path of firehouse.yaml.")
    base_url: str = Field(
        default="http://127.0.0.1:8000",
        description="Public URL of this deployment, used in links sent to chat and webhooks.",
    )
    secret_key: str = Field(
        default="",
        description=(
            "Secret for signing links and sessions; when empty, a random key is generated "
            "once and kept in the database."
        ),
    )
    outbox_max_attempts: int = Field(default=10, ge=1, le=100)
    outbox_poll_seconds: float = Field(default=1.0, gt=0, le=60)
    outbox_lease_seconds: float = Field(default=60.0, gt=0, le=3600)
    outbox_concurrency: int = Field(
        default=8,
        ge=1,
        le=64,
        description=(
            "Deliveries one dispatcher sends at once (each to a different incident or "
            "provider, so order within an incident holds). Providers answer in tens of "
            "milliseconds; one at a time, a worker would spend its time waiting."
        ),
    )
    dispatcher: bool = Field(
        default=True, description="Run the outbox dispatcher inside `firehouse serve`."
    )
    intake_concurrency: int | None = Field(
        default=None,
        ge=1,
        le=256,
        description=(
            "Alert intake requests a server process handles at once; more wait their turn. "
            "Higher takes bursts faster but slows the rest of the API during them. "
            "Default: 4 on SQLite, 16 on PostgreSQL (whose commits cost more, so each "
            "group commit needs more requests)."
        ),
    )
    outbox_retention_days: float = Field(
        default=14.0,
        ge=0,
        le=3650,
        description=(
            "Delivered outbox rows older than this are deleted by the scheduler; dead ones are "
            "kept until retried or removed by hand. 0 keeps everything."
        ),
    )
    worker_heartbeat_file: str | None = Field(
        default=None,
        description=(
            "A file `firehouse worker` touches after every dispatch round, for a liveness probe "
            "that checks its age (deploy/ uses it)."
        ),
    )
    log_format: Literal["text", "json"] = Field(
        default="text",
        description="`json`: one JSON object per line with a request id, for log collectors.",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(default="INFO")
    webhook_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    slack_bot_token: SecretStr | None = Field(
        default=None,
        description="Slack bot token (xoxb-...); without it chat actions are only logged.",
    )
    slack_signing_secret: SecretStr | None = Field(
        default=None,
        description="Slack app signing secret; inbound Slack requests are refused without it.",
    )
    chat_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    chat_post_interval_seconds: float = Field(
        default=1.0,
        ge=0,
        le=10,
        description="Least time between two posts or edits in one channel (Slack allows ~1/s).",
    )

    # --- status page subscribers (mail and subscriber webhooks) -------------------------------
    # The SMTP server itself (host, port, from, security) is organisation config, in
    # firehouse.yaml `statuspage.smtp`; only its password is a process secret.
    smtp_password: SecretStr | None = Field(
        default=None,
        description="Password for statuspage.smtp.username; never put it in firehouse.yaml.",
    )
    oidc_client_secret: SecretStr | None = Field(
        default=None,
        description="Client secret for web.oidc (the OpenID provider); never put it in "
        "firehouse.yaml.",
    )
    subscriber_webhooks_allow_loopback: bool = Field(
        default=False,
        description="Accept http:// subscriber webhooks on 127.0.0.1/localhost (tests, demos).",
    )
    subscriber_signups_per_minute: float = Field(
        default=6.0,
        gt=0,
        le=600,
        description="Public sign-ups allowed per client IP per minute (burst of the same size).",
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
