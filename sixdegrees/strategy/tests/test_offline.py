from __future__ import annotations

import re

import pytest

from sixdegrees.network.text import has_han
from sixdegrees.strategy.fields import same_org
from sixdegrees.strategy.offline import OfflinePlanner
from sixdegrees.strategy.schema import (
    OFFLINE_LENGTH,
    Plan,
    PlanInput,
    clean_text,
    draft_length,
    find_placeholders,
    normalize_name,
    plan_context,
)

from .intakes import INTAKES

IDS = [name for name, _ in INTAKES]
CASES = [fields for _, fields in INTAKES]


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def _reason_words(inp: PlanInput) -> str:
    """The start of the reason, as any draft quotes or paraphrases it."""
    reason = normalize_name(clean_text(inp.target_reason))
    if inp.language == "zh-hans":
        return re.sub(r"^(?:因为|我)", "", reason)[:4]
    return " ".join(reason.split()[:3]).rstrip(",.;")


def test_there_are_thirty_varied_intakes():
    assert len(INTAKES) == 30
    assert len(set(IDS)) == 30
    languages = [c["language"] for c in CASES]
    assert languages.count("zh-hans") >= 10 and languages.count("en") >= 10
    assert any(len(c["user_background"]) >= 480 for c in CASES)
    assert any(len(c["target_reason"]) >= 480 for c in CASES)
    assert any(len(c["user_background"]) <= 5 for c in CASES)
    assert sum(1 for c in CASES if c.get("contacts")) >= 6


@pytest.mark.parametrize("fields", CASES, ids=IDS)
def test_offline_plan_is_complete_and_well_written(fields):
    inp = PlanInput(**fields)
    outcome = OfflinePlanner().plan(inp)
    plan = outcome.plan

    # Schema-valid, also when re-read with the request's context.
    Plan.model_validate(plan.model_dump(), context=plan_context(inp))
    assert outcome.planner_used == "offline"
    assert outcome.fallback_reason is None
    assert [op.kind for op in outcome.operations] == ["research_target", "find_paths", "draft_emails"]
    assert all(op.status == "completed" and op.planner == "offline" for op in outcome.operations)
    assert all(op.cost_usd == 0 and op.input_tokens == 0 for op in outcome.operations)

    strategy = plan.strategy
    assert 2 <= len(strategy.paths) <= 4
    # Scored paths (every tie known) come first, best score first; nobody invents a chance of a reply.
    scores = [p.score for p in strategy.paths]
    known = [s for s in scores if s is not None]
    assert scores[: len(known)] == sorted(known, reverse=True)
    assert all(not hasattr(p, "confidence") for p in strategy.paths)
    for path in strategy.paths:
        if any(node.to_find for node in path.chain):
            assert path.score is None
    assert strategy.recommended_path == 0
    for path in strategy.paths:
        assert path.degree == len(path.chain)
        assert normalize_name(path.chain[-1].name) == normalize_name(clean_text(inp.target_name))

    leftovers = [(s, find_placeholders(s)) for s in _strings(plan.model_dump()) if find_placeholders(s)]
    assert leftovers == []

    target = clean_text(inp.target_name)
    low, high = OFFLINE_LENGTH[inp.language]
    assert len(plan.drafts) == strategy.recommended.degree
    for draft in plan.drafts:
        size = draft_length(draft.body, inp.language)
        assert low <= size <= high, (draft.hop, size, draft.body)
        if inp.language == "zh-hans":
            assert has_han(draft.body) and has_han(draft.subject)
        else:
            assert not has_han(draft.body + draft.subject)
        assert target in draft.body
        assert _reason_words(inp) in normalize_name(draft.body), (_reason_words(inp), draft.body)
    first, last = plan.drafts[0], plan.drafts[-1]
    assert last.recipient_name == target
    if strategy.recommended.degree > 1 and first.recipient_name not in {c.name for c in inp.contacts}:
        # An intermediary found by role is greeted generically, never with a made-up name.
        assert first.body.startswith(("Hi there,", "您好，"))


@pytest.mark.parametrize("fields", CASES, ids=IDS)
def test_offline_plan_is_deterministic(fields):
    inp = PlanInput(**fields)
    first = OfflinePlanner().plan(inp).plan.model_dump()
    again = OfflinePlanner().plan(PlanInput(**fields)).plan.model_dump()
    assert first == again


@pytest.mark.parametrize(
    "fields", [c for c in CASES if c.get("contacts")], ids=[i for i, c in INTAKES if c.get("contacts")]
)
def test_contacts_become_the_first_hop(fields):
    inp = PlanInput(**fields)
    plan = OfflinePlanner().plan(inp).plan
    first_node = plan.strategy.recommended.chain[0]
    by_name = {c.name: c for c in inp.contacts}
    assert first_node.name in by_name
    contact = by_name[first_node.name]
    assert first_node.email == contact.email
    assert plan.drafts[0].recipient_email == contact.email
    assert plan.drafts[0].recipient_name == contact.name
    # Someone at the target's organisation wins over everyone else.
    insiders = [c for c in inp.contacts if same_org(c.company, inp.target_company)]
    if insiders:
        assert contact.name == insiders[0].name
        assert plan.strategy.recommended.degree == 2


def test_same_school_contact_is_preferred_over_unrelated_ones():
    fields = dict(INTAKES[IDS.index("en-contact-same-school")][1])
    plan = OfflinePlanner().plan(PlanInput(**fields)).plan
    assert plan.strategy.recommended.chain[0].name == "Dana White"
    assert "MIT" in plan.strategy.recommended.chain[1].name
    assert len(plan.drafts) == 3


def test_different_intakes_get_different_wording():
    subjects = {OfflinePlanner().plan(PlanInput(**c)).plan.drafts[0].subject for c in CASES}
    assert len(subjects) > 10


def test_field_shapes_the_route():
    def first_route(name: str) -> str:
        fields = dict(INTAKES[IDS.index(name)][1])
        return OfflinePlanner().plan(PlanInput(**fields)).plan.strategy.recommended.chain[0].name

    assert first_route("en-founder-vc") == "A founder backed by Sequoia Capital"
    assert first_route("en-researcher-ai-lab") == "A co-author or research collaborator of Chris Olah"
    assert first_route("zh-founder-vc") == "获得红杉中国投资的创始人"
    assert (
        "校友"
        in OfflinePlanner().plan(PlanInput(**INTAKES[IDS.index("zh-long-academia")][1])).plan.strategy.target_analysis
    )
