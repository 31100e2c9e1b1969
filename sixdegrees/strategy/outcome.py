"""What a planner hands back: the plan, which planner made it, and one record per operation.

The background task writes each `OperationRecord` to a `campaign_steps` row, so the fields map
onto that table: kind → step_type, description → step_description, result → result, error →
error_message, and the rest by name.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from .schema import Plan

OperationKind = Literal["research_target", "find_paths", "draft_emails"]
OPERATION_KINDS: tuple[OperationKind, ...] = ("research_target", "find_paths", "draft_emails")
OperationStatus = Literal["completed", "failed"]
PlannerName = Literal["offline", "anthropic"]

# US dollars per million tokens (input, output). Estimates for the dashboard and cost reports,
# not billing; a model not listed is priced like the Sonnet default.
PRICES_PER_MTOK: dict[str, tuple[float, float]] = {
    "claude-sonnet-4-6": (3.00, 15.00),
    "claude-opus-4-6": (5.00, 25.00),
    "claude-haiku-4-5": (1.00, 5.00),
}
DEFAULT_PRICE = PRICES_PER_MTOK["claude-sonnet-4-6"]


def estimate_cost(model: str | None, input_tokens: int, output_tokens: int) -> float:
    if not model or (input_tokens == 0 and output_tokens == 0):
        return 0.0
    price = next(
        (p for name, p in PRICES_PER_MTOK.items() if model == name or model.startswith(name + "-")),
        DEFAULT_PRICE,
    )
    return round((input_tokens * price[0] + output_tokens * price[1]) / 1_000_000, 6)


class OperationRecord(BaseModel):
    """One research, path-finding or drafting operation, successful or not."""

    kind: OperationKind
    planner: PlannerName
    status: OperationStatus
    description: str
    duration_ms: int = Field(ge=0)
    input_tokens: int = Field(default=0, ge=0)
    output_tokens: int = Field(default=0, ge=0)
    cost_usd: float = Field(default=0.0, ge=0)
    error: str | None = None  # human-readable, never a secret
    cached: bool = False
    model: str | None = None
    result: dict[str, Any] | None = None  # the part of the plan this operation produced


class PlanOutcome(BaseModel):
    plan: Plan
    planner_used: PlannerName
    fallback_reason: str | None = None
    operations: list[OperationRecord]


class PlanningFailed(Exception):
    """Nothing at all could be produced. `human_message` is safe to show the person."""

    def __init__(self, human_message: str) -> None:
        super().__init__(human_message)
        self.human_message = human_message
