from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from sixdegrees.strategy.anthropic_planner import AnthropicPlanner
from sixdegrees.strategy.offline import OfflinePlanner
from sixdegrees.strategy.planner import PlanningFailed, get_planner, make_plan
from sixdegrees.strategy.schema import PlanInput

INPUT = dict(
    user_name="Alex Chen",
    user_email="alex@example.com",
    user_background="Founder",
    target_name="Jane Doe",
    target_company="Partner at Sequoia Capital",
    target_reason="Pitch our seed round",
)


@pytest.mark.parametrize(
    ("choice", "key", "expected"),
    [
        ("auto", "", OfflinePlanner),
        ("auto", "sk-test", AnthropicPlanner),
        ("offline", "sk-test", OfflinePlanner),
        ("anthropic", "sk-test", AnthropicPlanner),
        ("anthropic", "", AnthropicPlanner),
        (None, "", OfflinePlanner),
    ],
)
def test_get_planner_follows_settings(settings, choice, key, expected):
    settings.STRATEGY_PLANNER = choice
    settings.ANTHROPIC_API_KEY = key
    assert isinstance(get_planner(), expected)


def test_an_unknown_planner_setting_is_a_configuration_error(settings):
    settings.STRATEGY_PLANNER = "gpt"
    with pytest.raises(ImproperlyConfigured, match="STRATEGY_PLANNER"):
        get_planner()


def test_offline_planning_needs_no_key(settings):
    settings.STRATEGY_PLANNER = "auto"
    settings.ANTHROPIC_API_KEY = ""
    outcome = make_plan(PlanInput(**INPUT))
    assert outcome.planner_used == "offline"
    assert outcome.fallback_reason is None


def test_anthropic_without_a_key_falls_back_with_a_reason(settings):
    settings.STRATEGY_PLANNER = "anthropic"
    settings.ANTHROPIC_API_KEY = ""
    outcome = make_plan(PlanInput(**INPUT))
    assert outcome.planner_used == "offline"
    assert "ANTHROPIC_API_KEY is not set" in outcome.fallback_reason


def test_an_unexpected_crash_in_the_ai_planner_falls_back(settings, monkeypatch):
    settings.STRATEGY_PLANNER = "anthropic"
    settings.ANTHROPIC_API_KEY = "sk-test"

    def crash(self, inp):
        raise RuntimeError("bug")

    monkeypatch.setattr(AnthropicPlanner, "plan", crash)
    outcome = make_plan(PlanInput(**INPUT))
    assert outcome.planner_used == "offline"
    assert "failed unexpectedly" in outcome.fallback_reason


def test_planning_failed_only_when_nothing_can_be_made(settings, monkeypatch):
    settings.STRATEGY_PLANNER = "offline"

    def crash(self, inp):
        raise RuntimeError("bug")

    monkeypatch.setattr(OfflinePlanner, "plan", crash)
    with pytest.raises(PlanningFailed) as failure:
        make_plan(PlanInput(**INPUT))
    assert "try again" in failure.value.human_message
