"""`sixdegrees secrets`: which secrets are set and where each came from. Never their values.

A secret comes from the process environment, from the `.env` file (settings.ENV_FILE, loaded at
start without overriding the environment; settings records which names it supplied), from a file
named by `NAME_FILE`, or is generated into the data dir (development's secret key and encryption
key). Nothing in this module returns or prints a value, only names, sources and yes/no.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from typing import Any

from django.conf import settings
from django.db import DatabaseError

from sixdegrees.lib.secret_settings import url_password, value_of
from sixdegrees.outreach.models import Mailbox

OK, WARN, FAIL = "ok", "warn", "fail"


@dataclass(frozen=True)
class Secret:
    name: str
    used_for: str
    file_form: bool = True  # read through env_str, so NAME_FILE works
    url: bool = False  # the secret is the password inside a URL


KNOWN = (
    Secret("SIXDEGREES_SECRET_KEY", "signs sessions, CSRF tokens and sign-in links"),
    Secret("SIXDEGREES_ENCRYPTION_KEYS", "encrypts mailbox passwords stored in the database", file_form=False),
    Secret("ANTHROPIC_API_KEY", "the Claude strategy planner"),
    Secret("GMAIL_APP_PASSWORD", "sending from the operator's mailbox (GMAIL_ADDRESS)"),
    Secret("STRIPE_WEBHOOK_SECRET", "verifying Stripe's payment events"),
    Secret("SIXDEGREES_METRICS_TOKEN", "reading /metrics from another machine"),
    Secret("DATABASE_URL", "the database password, inside the URL", url=True),
    Secret("REDIS_URL", "the Redis password, inside the URL", url=True),
)


@dataclass
class SecretState:
    name: str
    set: bool
    source: str | None
    used_for: str
    state: str
    note: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _origin(name: str) -> str:
    return ".env file" if name in settings.ENV_FILE_VARIABLES else "environment"


def source_of(secret: Secret) -> str | None:
    """Where the value the service uses came from, in words; None when it is not set anywhere."""
    file_variable = f"{secret.name}_FILE"
    if secret.file_form and os.environ.get(file_variable):
        return f"file named by {file_variable} (set in the {_origin(file_variable)})"
    if os.environ.get(secret.name, "").strip():
        return _origin(secret.name)
    return None


def _value_in_use(secret: Secret) -> str:
    """The value the service runs with (only ever tested for emptiness here)."""
    return value_of(settings, secret.name)


def _url_has_password(url: str) -> bool:
    return bool(url_password(url))


def inspect(secret: Secret) -> SecretState:
    value = _value_in_use(secret)
    source = source_of(secret)

    def state(is_set: bool, level: str, note: str, where: str | None = source) -> SecretState:
        return SecretState(secret.name, is_set, where if is_set else None, secret.used_for, level, note)

    if secret.url:
        if not value:
            embedded = "SQLite in the data dir" if secret.name == "DATABASE_URL" else "not used"
            return state(False, OK, embedded)
        if _url_has_password(value):
            return state(True, OK, "the URL carries a password")
        return state(False, OK, "the URL carries no password (trust, peer or certificate authentication)")

    if secret.name == "SIXDEGREES_SECRET_KEY" and value and source is None:
        return state(
            True, OK, "generated for development", where=f"file generated in {settings.DATA_DIR / 'secret_key'}"
        )
    if secret.name == "SIXDEGREES_ENCRYPTION_KEYS":
        keys = len(settings.ENCRYPTION_KEYS)
        if keys:
            return state(True, OK, f"{keys} key{'s' if keys > 1 else ''}; the first encrypts")
        if settings.PRODUCTION:
            return state(False, WARN, "people cannot connect their own mailboxes")
        generated = settings.DATA_DIR / "encryption_key"
        if generated.exists():
            return state(True, OK, "generated for development", where=f"file generated in {generated}")
        return state(False, OK, "development generates one on first use")
    if value:
        return state(True, OK, "")

    needed = _needed_because(secret.name)
    if needed:
        return state(False, FAIL, needed)
    return state(False, OK, _optional_note(secret.name))


def _needed_because(name: str) -> str:
    """Why a missing secret breaks something that is switched on; empty when nothing needs it."""
    if name == "ANTHROPIC_API_KEY" and settings.STRATEGY_PLANNER == "anthropic":
        return "missing, but STRATEGY_PLANNER=anthropic: every plan falls back to the offline planner"
    if name == "GMAIL_APP_PASSWORD" and settings.GMAIL_ADDRESS:
        return "missing, but GMAIL_ADDRESS is set: emails go to the local outbox instead of out"
    if name == "STRIPE_WEBHOOK_SECRET" and (settings.STRIPE_LINK_STARTER or settings.STRIPE_LINK_PRO):
        return "missing, but Stripe Payment Links are set: payments would never be credited"
    if name == "SIXDEGREES_SECRET_KEY" and settings.PRODUCTION:
        return "missing: production refuses to start without it"
    return ""


def _optional_note(name: str) -> str:
    return {
        "ANTHROPIC_API_KEY": "plans come from the offline planner",
        "GMAIL_APP_PASSWORD": "emails go to the local outbox",
        "STRIPE_WEBHOOK_SECRET": "purchases are off",
        "SIXDEGREES_METRICS_TOKEN": "/metrics answers this machine only",
    }.get(name, "")


FIX = {
    "ANTHROPIC_API_KEY": "Set ANTHROPIC_API_KEY (or STRATEGY_PLANNER=offline if that is intended), then restart.",
    "GMAIL_APP_PASSWORD": "Create a Google app password for GMAIL_ADDRESS and set GMAIL_APP_PASSWORD, then restart.",
    "STRIPE_WEBHOOK_SECRET": "Copy the webhook's signing secret (whsec_…) from Stripe into STRIPE_WEBHOOK_SECRET, then restart.",
    "SIXDEGREES_SECRET_KEY": "Set SIXDEGREES_SECRET_KEY to 50+ random characters, then restart.",
    "SIXDEGREES_ENCRYPTION_KEYS": "Make a key with `sixdegrees mailbox new-key`, set SIXDEGREES_ENCRYPTION_KEYS, restart.",
}


def inspect_all() -> list[SecretState]:
    return [inspect(secret) for secret in KNOWN]


def stored_mailbox_passwords() -> int | None:
    """How many mailbox passwords sit encrypted in the database (None when it cannot be read)."""
    try:
        return Mailbox.objects.exclude(password_encrypted="").count()
    except DatabaseError:
        return None
