"""Prefixed, unguessable ids (`camp_…`, `user_…`, `email_…`): 120 random bits each."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Callable

ID_MAX_LENGTH = 64  # room for the earlier deployment's ids and UUIDs


def new_id(prefix: str) -> str:
    token = base64.b32encode(secrets.token_bytes(15)).decode("ascii").lower()
    return f"{prefix}_{token}"


def id_factory(prefix: str) -> Callable[[], str]:
    """A named default for model fields (migrations need an importable callable)."""
    return _FACTORIES[prefix]


def user_id() -> str:
    return new_id("user")


def campaign_id() -> str:
    return new_id("camp")


def step_id() -> str:
    return new_id("step")


def email_id() -> str:
    return new_id("email")


def transaction_id() -> str:
    return new_id("txn")


def person_id() -> str:
    return new_id("per")


def import_id() -> str:
    return new_id("imp")


def scan_id() -> str:
    return new_id("scan")


_FACTORIES: dict[str, Callable[[], str]] = {
    "user": user_id,
    "camp": campaign_id,
    "step": step_id,
    "email": email_id,
    "txn": transaction_id,
    "per": person_id,
    "imp": import_id,
    "scan": scan_id,
}
