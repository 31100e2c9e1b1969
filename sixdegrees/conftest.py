"""Shared fixtures: personas, free ports, and the rule for tests that need a real server."""

from __future__ import annotations

import os
import socket

import pytest
import time_machine

from sixdegrees import test_clock
from sixdegrees.bench.web import INTAKE  # one sample intake for the tests and the web benchmark

REQUIRE_SERVICES = os.environ.get("SIXDEGREES_REQUIRE_SERVICES") == "1"
_TRAVELLER = pytest.StashKey[time_machine.travel]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--frozen-date",
        default=os.environ.get(test_clock.DATE_VARIABLE, ""),
        metavar="YYYY-MM-DD[THH:MM]",
        help=f"run the whole suite with the clock moved to this date, noon UTC unless a time is given "
        f"(time_machine, ticking; Python children follow). Default: ${test_clock.DATE_VARIABLE}.",
    )


def pytest_configure(config: pytest.Config) -> None:
    value = config.getoption("--frozen-date")
    if not value:
        return
    try:
        when = test_clock.parse(value)
    except ValueError as error:
        raise pytest.UsageError(f"--frozen-date: {error}") from None
    config.stash[_TRAVELLER] = test_clock.freeze(when)


def pytest_unconfigure(config: pytest.Config) -> None:
    traveller = config.stash.get(_TRAVELLER, None)
    if traveller is not None:
        traveller.stop()


def pytest_report_header(config: pytest.Config) -> str | None:
    value = config.getoption("--frozen-date")
    return f"frozen date: {test_clock.parse(value).isoformat()} (ticking)" if value else None


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


@pytest.fixture(autouse=True)
def _fresh_service_outbox():
    """The service's mail (sign-in codes, notices) collects in memory; each test starts with none."""
    from sixdegrees.mail import service

    service.outbox.clear()
    yield
    service.outbox.clear()


@pytest.fixture
def mailoutbox():
    """What the service emailed people in this test (replaces pytest-django's Django-mail outbox)."""
    from sixdegrees.mail import service

    return service.outbox


@pytest.fixture
def intake_data():
    return dict(INTAKE)


def post_json(client, url, data, **extra):
    import json

    return client.generic("POST", url, json.dumps(data, ensure_ascii=False), content_type="application/json", **extra)
