from __future__ import annotations

import pytest
from django.core.cache import cache

from .fake_anthropic import FakeAnthropic

TEST_KEY = "test-key-not-a-secret"


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def fake_anthropic(settings):
    """A running fake Messages API, with settings pointing the Anthropic planner at it."""
    fake = FakeAnthropic().start()
    settings.STRATEGY_PLANNER = "anthropic"
    settings.ANTHROPIC_API_KEY = TEST_KEY
    settings.ANTHROPIC_BASE_URL = fake.url
    settings.ANTHROPIC_TIMEOUT_SECONDS = 5
    settings.ANTHROPIC_MAX_RETRIES = 2
    yield fake
    fake.stop()
    assert fake.errors == [], "the fake's scripted replies raised"
