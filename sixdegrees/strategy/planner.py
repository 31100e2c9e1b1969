"""The strategy engine's front door: pick a planner from settings and make a plan.

    outcome = make_plan(PlanInput(...))
    outcome.plan            # the validated Plan (strategy + drafts + language)
    outcome.planner_used    # "anthropic" or "offline"
    outcome.fallback_reason # why the offline planner stood in, or None
    outcome.operations      # one OperationRecord per operation → campaign_steps rows

Settings (all optional, read through django.conf.settings):
    STRATEGY_PLANNER           "auto" (default): anthropic when ANTHROPIC_API_KEY is set, else
                               offline; or "offline" / "anthropic"
    STRATEGY_MODEL             default "claude-sonnet-4-6"
    STRATEGY_CACHE_SECONDS     how long an AI plan is reused for an identical request (7 days)
    ANTHROPIC_API_KEY          default "" (unset)
    ANTHROPIC_BASE_URL         default None (the SDK's default endpoint)
    ANTHROPIC_TIMEOUT_SECONDS  per request, default 60
    ANTHROPIC_MAX_RETRIES      retries on 429/5xx/timeouts, with the SDK's backoff, default 3
"""

from __future__ import annotations

import logging
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .offline import OfflinePlanner
from .outcome import OperationRecord, PlanningFailed, PlanOutcome
from .schema import Draft, Plan, PlanInput

log = logging.getLogger(__name__)

__all__ = [
    "OperationRecord",
    "Plan",
    "PlanInput",
    "PlanOutcome",
    "Planner",
    "PlanningFailed",
    "drafts_for_every_path",
    "get_planner",
    "make_plan",
]

PLANNER_CHOICES = ("auto", "offline", "anthropic")


class Planner(Protocol):
    name: str

    def plan(self, inp: PlanInput) -> PlanOutcome: ...


def get_planner() -> Planner:
    """The planner the settings ask for. An unknown STRATEGY_PLANNER is a configuration error."""
    choice = str(getattr(settings, "STRATEGY_PLANNER", "auto") or "auto").strip().lower()
    if choice not in PLANNER_CHOICES:
        raise ImproperlyConfigured(f"STRATEGY_PLANNER must be one of {', '.join(PLANNER_CHOICES)}, not {choice!r}")
    if choice == "offline" or (choice == "auto" and not getattr(settings, "ANTHROPIC_API_KEY", "")):
        return OfflinePlanner()
    # Imported here so that an offline-only deployment never loads the SDK.
    from .anthropic_planner import AnthropicPlanner

    return AnthropicPlanner()


def make_plan(inp: PlanInput) -> PlanOutcome:
    """A validated plan for `inp`, from the configured planner or, failing that, the offline one.

    Raises PlanningFailed (with a message fit for the person) only if no plan at all could be
    made, which would take a bug in the offline planner.
    """
    planner = get_planner()
    try:
        return planner.plan(inp)
    except Exception:
        log.exception("strategy: the %s planner failed unexpectedly", planner.name)
    if planner.name != OfflinePlanner.name:
        try:
            outcome = OfflinePlanner().plan(inp)
        except Exception:
            log.exception("strategy: the offline planner failed too")
        else:
            reason = "The AI planner failed unexpectedly; the offline planner wrote this plan instead."
            return outcome.model_copy(update={"fallback_reason": reason})
    raise PlanningFailed(
        "We couldn't put a plan together for this request. Please check the names and try again; "
        "if it keeps happening, contact support."
    )


def drafts_for_every_path(inp: PlanInput, plan: Plan) -> dict[int, list[Draft]]:
    """Drafts for each path, so choosing another path is instant and needs no AI call.

    The recommended path keeps the planner's own drafts; the others are written by the offline
    planner (exactly its own for paths it proposed, from the chain's names and roles otherwise).
    """
    offline = OfflinePlanner()
    result: dict[int, list[Draft]] = {}
    for index, path in enumerate(plan.strategy.paths):
        if index == plan.strategy.recommended_path:
            result[index] = list(plan.drafts)
            continue
        try:
            result[index] = offline.draft_path(inp, path)
        except Exception:  # one alternative path failing must not cost the whole plan
            log.exception("strategy: could not draft alternative path %s", index)
    return result
