"""Which settings hold secrets: `sixdegrees secrets` reports them, the log redacts their values.

One list for both, so a secret added for one is covered by the other.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote, urlsplit

# Environment variable → the setting that holds its value.
SECRET_SETTINGS = {
    "SIXDEGREES_SECRET_KEY": "SECRET_KEY",
    "SIXDEGREES_ENCRYPTION_KEYS": "ENCRYPTION_KEYS",
    "ANTHROPIC_API_KEY": "ANTHROPIC_API_KEY",
    "GMAIL_APP_PASSWORD": "GMAIL_APP_PASSWORD",
    "STRIPE_WEBHOOK_SECRET": "STRIPE_WEBHOOK_SECRET",
    "SIXDEGREES_METRICS_TOKEN": "METRICS_TOKEN",
    "DATABASE_URL": "DATABASE_URL",
    "REDIS_URL": "REDIS_URL",
}
# Whose value is a URL: the secret is the password inside it.
URL_SETTINGS = {"DATABASE_URL", "REDIS_URL"}
# Settings Django derives from the ones above (the SMTP password is GMAIL_APP_PASSWORD).
DERIVED_SECRET_SETTINGS = ("EMAIL_HOST_PASSWORD",)


def value_of(settings: Any, variable: str) -> str:
    """The value in use for one environment variable, as one string ('' when unset)."""
    value = getattr(settings, SECRET_SETTINGS[variable], "") or ""
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value)
    return str(value)


def url_password(url: str) -> str:
    try:
        return urlsplit(url).password or ""
    except ValueError:
        return ""


def secret_values(settings: Any) -> list[str]:
    """Every configured secret value itself (each encryption key, each password inside a URL)."""
    values: list[str] = []
    for variable, name in SECRET_SETTINGS.items():
        raw = getattr(settings, name, "") or ""
        if variable in URL_SETTINGS:
            password = url_password(str(raw))
            values += [password, unquote(password)]
        elif isinstance(raw, list | tuple):
            values += [str(v) for v in raw]
        else:
            values.append(str(raw))
    values += [str(getattr(settings, name, "") or "") for name in DERIVED_SECRET_SETTINGS]
    return [v for v in values if v]
