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
