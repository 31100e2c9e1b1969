"""Fixtures for the web tests: one Chromium for the whole session (Playwright, sync API)."""

from __future__ import annotations

import os

import pytest

from sixdegrees.conftest import need_service
from sixdegrees.outreach.tests.servers import smtp_server, tls_cert  # noqa: F401  (a real SMTP server)
from sixdegrees.web.tests.browser import CHROMIUM, CHROMIUM_ARGS, chromium_available


@pytest.fixture(scope="session")
def playwright_instance():
    need_service(chromium_available(), "Chromium")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread, and these tests use Django's ORM
    # in the same thread; Django would refuse that unless told it is intended.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as p:
            yield p
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def browser(playwright_instance):
    instance = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield instance
    instance.close()
