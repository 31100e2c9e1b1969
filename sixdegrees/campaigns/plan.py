"""A campaign's stored plan (`Campaign.results`), parsed once into typed data.

Readers ask `campaign.plan_view()` and use attributes; nobody walks the JSON with `isinstance`.
The row holds one of these shapes, and all of them still load:

- a plan written by `campaigns.planning`: `strategy.schema.Plan` as JSON, plus `planner`,
  `fallback_reason` and `drafts_by_path` (the drafts for every path, keyed by the path's index);
- a row imported from the earlier deployment (`ops/legacy_import.py`): `{"strategy": "<summary>",
  "selected_path": {"degree", "confidence", "strategy", "intermediaries": [{"name": …}]},
  "target_analysis": "…"}`, where `selected_path` may be missing or null;
- nothing yet (`null`), while the plan is being made.

Reading is lenient about what is missing (older rows and hand-made ones lack fields, so each has
a default) and strict about what is wrong: a value of the wrong type, or text the import could
not parse (`{"legacy_raw": …}`), makes the plan unreadable. `PlanUnreadable` is a `BadRequest`,
so an API call that needs the plan answers 409 in the API's error shape rather than a 500; pages
show such a campaign without a plan, saying so (see `campaigns/serialize.py`).

The strict rules a planner's output must meet live in `strategy/schema.py`; `PlanPath.strict()`,
`PlanDraft.strict()` and `StoredPlan.strict()` hold a stored plan to them when it is drafted from.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

from django.utils.translation import gettext as _
from pydantic import AliasChoices, BaseModel, ConfigDict, Field, ValidationError, model_validator

from sixdegrees.lib.http import BadRequest
from sixdegrees.strategy.schema import Draft, Path, Plan

logger = logging.getLogger(__name__)

_CACHE_ATTRIBUTE = "_stored_plan"


class Campaign(Protocol):
    """What reading a plan needs of a campaign (the model imports this module, not the reverse)."""

    pk: Any
    results: Any


class PlanUnreadable(BadRequest):
    """The stored plan cannot be read; `reason` says why, for the log and the operator."""

    def __init__(self, reason: str):
        super().__init__(_("Something went wrong while planning. Please ask for a new plan."), status=409)
        self.reason = reason


class _Stored(BaseModel):
    # Keys this code does not know (an imported path's own "strategy" text) are kept and shown.
    model_config = ConfigDict(extra="allow", populate_by_name=True)

    def as_json(self) -> dict[str, Any]:
        """The keys the row holds (no defaults filled in), as the API has always shown them."""
        return self.model_dump(mode="json", exclude_unset=True, by_alias=False)


class PlanNode(_Stored):
    """One person on a path; an imported path may list bare names."""

    name: str = ""
    role: str = ""
    email: str | None = None
    kind: str | None = None
    # Plans made before the network (and imported ones) lack these: nobody on them is grounded.
    person_id: str | None = None
    strength: float | None = None
    evidence: str | None = None
    to_find: bool = False

    @property
    def fillable(self) -> bool:
        """A role still to find: marked so, or (older plans) an intermediary with no one behind it."""
        return self.kind == "intermediary" and (self.to_find or (self.person_id is None and not self.email))

    @model_validator(mode="before")
    @classmethod
    def _bare_name(cls, value: Any) -> Any:
        return {"name": value} if isinstance(value, str) else value


class PlanPath(_Stored):
    label: str = ""
    degree: int | None = None
    confidence: float | None = None  # older plans' guessed chance of a reply: kept, never shown
    score: float | None = None  # the product of the path's tie strengths (strategy/grounding.py)
    direct: bool = False
    # Imported paths call the chain "intermediaries".
    chain: list[PlanNode] = Field(default_factory=list, validation_alias=AliasChoices("chain", "intermediaries"))
    rationale: str = ""

    def strict(self) -> Path:
        """This path held to the planner's rules (ValidationError if it falls short)."""
        return Path.model_validate(self.as_json())


class PlanDraft(_Stored):
    hop: int | None = None
    recipient_name: str = ""
    recipient_email: str | None = None
    recipient_role: str = ""
    subject: str = ""
    body: str = ""

    def strict(self) -> Draft:
        return Draft.model_validate(self.as_json())


class StoredPlan(BaseModel):
    """Everything a campaign's plan says, typed; the empty plan when there is none yet."""

    summary: str = ""
    target_analysis: str = ""
    paths: list[PlanPath] = Field(default_factory=list)
    recommended_path: int = 0
    drafts: list[PlanDraft] = Field(default_factory=list)
    drafts_by_path: dict[int, list[PlanDraft]] = Field(default_factory=dict)
    language: str | None = None
    planner: str | None = None
    fallback_reason: str | None = None
    network_used: bool | None = None  # None: planned before plans could use the network
    # Imported from the earlier deployment: one path, no drafts, nothing to draft from.
    legacy: bool = False

    @classmethod
    def from_results(cls, results: Any) -> StoredPlan:
        """Parse a `Campaign.results` value in any of the shapes above; PlanUnreadable otherwise."""
        if results is None:
            return cls()
        if not isinstance(results, dict):
            raise PlanUnreadable(f"the plan is a {type(results).__name__}, not an object")
        if "legacy_raw" in results:
            raise PlanUnreadable("the imported plan was not valid JSON (kept as legacy_raw)")
        strategy = results.get("strategy")
        if isinstance(strategy, dict):
            data = {
                **{
                    key: strategy[key]
                    for key in ("summary", "target_analysis", "paths", "recommended_path")
                    if key in strategy
                },
                **{
                    key: results[key]
                    for key in ("drafts", "drafts_by_path", "language", "planner", "fallback_reason", "network_used")
                    if key in results
                },
            }
        elif strategy is None or isinstance(strategy, str):
            selected = results.get("selected_path")
            data = {
                "summary": strategy or "",
                "target_analysis": results.get("target_analysis") or "",
                "paths": [selected] if selected else [],
                "legacy": True,
            }
        else:
            raise PlanUnreadable(f"strategy is a {type(strategy).__name__}, not an object or text")
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise PlanUnreadable(_describe(exc)) from None

    def path_index(self, selected: int | None) -> int | None:
        """`selected` (the first path when None) clamped to the paths there are; None without paths."""
        if not self.paths:
            return None
        return min(max(selected if selected is not None else 0, 0), len(self.paths) - 1)

    def path(self, selected: int | None) -> PlanPath | None:
        index = self.path_index(selected)
        return None if index is None else self.paths[index]

    def strict(self) -> Plan:
        """The whole plan held to the planner's rules, to draft from; PlanUnreadable if it falls short."""
        data = {
            "strategy": {
                "summary": self.summary,
                "target_analysis": self.target_analysis,
                "paths": [p.as_json() for p in self.paths],
                "recommended_path": self.recommended_path,
            },
            "drafts": [d.as_json() for d in self.drafts],
            "language": self.language,
        }
        try:
            return Plan.model_validate(data)
        except ValidationError as exc:
            raise PlanUnreadable(_describe(exc)) from None

    def strict_drafts(self, index: int) -> list[Draft]:
        """The drafts kept for path `index` ([] for plans stored before drafts were kept per path)."""
        try:
            return [d.strict() for d in self.drafts_by_path.get(index, [])]
        except ValidationError as exc:
            raise PlanUnreadable(_describe(exc)) from None


def results_json(
    plan: Plan, *, planner: str, fallback_reason: str | None, drafts_by_path: dict[int, list[Draft]]
) -> dict[str, Any]:
    """What `Campaign.results` holds for a plan just made (the first shape above)."""
    results = plan.model_dump(mode="json")
    results["planner"] = planner
    results["fallback_reason"] = fallback_reason
    results["drafts_by_path"] = {
        str(index): [d.model_dump(mode="json") for d in drafts] for index, drafts in drafts_by_path.items()
    }
    return results


def _describe(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "plan"
    more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    return f"{where}: {first['msg']}{more}"


def plan_of(campaign: Campaign) -> StoredPlan:
    """The campaign's plan, parsed once per loaded value of `results` (raises PlanUnreadable)."""
    cached = getattr(campaign, _CACHE_ATTRIBUTE, None)
    # Keyed on the value itself: saving a new plan or refresh_from_db() replaces it.
    if cached is not None and cached[0] is campaign.results:
        plan, reason = cached[1], cached[2]
    else:
        plan, reason = None, ""
        try:
            plan = StoredPlan.from_results(campaign.results)
        except PlanUnreadable as exc:
            reason = exc.reason
            logger.warning(
                "stored plan unreadable",
                extra={"event": "plan_unreadable", "campaign_id": campaign.pk, "reason": reason},
            )
        setattr(campaign, _CACHE_ATTRIBUTE, (campaign.results, plan, reason))
    if plan is None:
        raise PlanUnreadable(reason)
    return plan


def plan_or_empty(campaign: Campaign) -> tuple[StoredPlan, PlanUnreadable | None]:
    """For showing a campaign and for the chain's bookkeeping: an unreadable plan reads as none."""
    try:
        return plan_of(campaign), None
    except PlanUnreadable as exc:
        return StoredPlan(), exc
