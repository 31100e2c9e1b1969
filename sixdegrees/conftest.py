"""Shared fixtures: personas, free ports, and the rule for tests that need a real server."""

from __future__ import annotations

import os
import socket

import pytest

REQUIRE_SERVICES = os.environ.get("SIXDEGREES_REQUIRE_SERVICES") == "1"


def need_service(available: bool, what: str) -> None:
    """Skip when a server or browser is missing, unless CI said every service must be there."""
    if available:
        return
    if REQUIRE_SERVICES:
        pytest.fail(f"{what} is required (SIXDEGREES_REQUIRE_SERVICES=1) but not available")
    pytest.skip(f"{what} is not available")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def alice(django_user_model):
    return django_user_model.objects.create_user("alice@example.com", name="Alice", email_verified=True)


@pytest.fixture
def bob(django_user_model):
    return django_user_model.objects.create_user("bob@example.com", name="Bob", email_verified=True)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters and cached plans live in the cache; each test starts with none."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


INTAKE = {
    "user_name": "Alice Chen",
    "user_email": "alice@example.com",
    "user_background": "Founder of a climate-tech startup; previously ML engineer at Stripe; Stanford alumna.",
    "target_name": "Jane Doe",
    "target_company": "Partner at Sequoia Capital",
    "target_reason": "We are raising our Series A and Jane led two climate investments last year.",
}


@pytest.fixture
def intake_data():
    return dict(INTAKE)


def post_json(client, url, data, **extra):
    import json

    return client.generic("POST", url, json.dumps(data, ensure_ascii=False), content_type="application/json", **extra)
