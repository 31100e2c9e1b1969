from __future__ import annotations

import pytest
from pydantic import ValidationError

from sixdegrees.strategy.offline import OfflinePlanner
from sixdegrees.strategy.schema import (
    Path,
    Plan,
    PlanInput,
    Strategy,
    draft_length,
    find_placeholders,
    plan_context,
    scrub_placeholders,
)


@pytest.mark.parametrize(
    "text",
    [
        "Hi [Name],",
        "Dear [Target's first name]",
        "Hello {name}",
        "Hi {{first_name}}",
        "Dear <Name>,",
        "Ask Connection 1 for an intro",
        "Intermediary 2 at Acme",
        "Lorem ipsum dolor sit amet",
        "Meeting time TBD",
        "Call me at XXX",
        "您好，【姓名】",
        "感谢某某的引荐",
        "XX公司的合伙人",
        "您好（姓名）",
        "Your name here",
        "Hi %(name)s",
    ],
)
def test_placeholders_are_found(text):
    assert find_placeholders(text)


@pytest.mark.parametrize(
    "text",
    [
        "Hi there,",
        "您好，",
        "As shown in [1], the method works.",
        "Alex Chen <alex@example.com>",
        "Could you ask a contact at Acme?",
        "A former colleague of Jane Doe at Acme",
        "Xbox and XL sizes",
        "We raised a Series A (2024).",
    ],
)
def test_ordinary_prose_is_not_a_placeholder(text):
    assert find_placeholders(text) == []


def test_scrub_removes_placeholders_from_quoted_text():
    assert scrub_placeholders("Please write [Name] and {first_name} now, TBD.") == "Please write and now,."


def _node(name, kind="intermediary", email=None):
    return {"name": name, "role": "Knows the target", "email": email, "kind": kind}


def _path(**changes):
    path = {
        "label": "Through a colleague",
        "degree": 2,
        "confidence": 0.5,
        "chain": [_node("A former colleague of Jane Doe at Acme"), _node("Jane Doe", "target")],
        "rationale": "Colleagues vouch for each other.",
    }
    path.update(changes)
    return path


def test_a_good_path_validates():
    assert Path.model_validate(_path()).degree == 2


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"degree": 3}, "degree must equal the number of nodes"),
        ({"score": 1.2}, "less than or equal to 1"),
        ({"score": -0.1}, "greater than or equal to 0"),
        ({"chain": [_node("Jane Doe"), _node("Someone", "target")][::-1]}, "last node"),
        ({"chain": [_node("Connection 1"), _node("Jane Doe", "target")]}, "placeholder"),
        ({"label": "  "}, "at least 1 character"),
    ],
)
def test_bad_paths_are_rejected(changes, message):
    with pytest.raises(ValidationError, match=message):
        Path.model_validate(_path(**changes))


def _strategy(**changes):
    strategy = {
        "target_analysis": "Jane Doe leads Acme's design team.",
        "summary": "Go through a colleague.",
        "paths": [_path(), _path(confidence=0.4)],
        "recommended_path": 0,
    }
    strategy.update(changes)
    return strategy


def test_recommended_path_must_exist():
    with pytest.raises(ValidationError, match="only 2 paths"):
        Strategy.model_validate(_strategy(recommended_path=2))


def test_strategy_needs_two_to_four_paths():
    with pytest.raises(ValidationError, match="at least 2"):
        Strategy.model_validate(_strategy(paths=[_path()]))


def test_paths_must_end_at_the_requested_target():
    with pytest.raises(ValidationError, match="not the target"):
        Strategy.model_validate(_strategy(), context={"target_name": "John Roe", "allowed_emails": set()})


def test_invented_email_addresses_are_rejected():
    path = _path(chain=[_node("Dana White", email="dana@made-up.example"), _node("Jane Doe", "target")])
    context = {"target_name": "Jane Doe", "allowed_emails": {"dana@example.com"}}
    with pytest.raises(ValidationError, match="not one of the person's contacts"):
        Strategy.model_validate(_strategy(paths=[path, _path()]), context=context)


def _plan_input(**changes):
    fields = dict(
        user_name="李雷",
        user_email="lilei@example.com",
        user_background="创业者",
        target_name="张伟",
        target_company="红杉中国合伙人",
        target_reason="希望获得A轮融资",
        language="zh",
    )
    fields.update(changes)
    return PlanInput(**fields)


def test_language_is_normalised():
    assert _plan_input().language == "zh-hans"
    assert _plan_input(language="en-US").language == "en"
    with pytest.raises(ValidationError):
        _plan_input(language="fr")


def test_a_placeholder_only_target_name_is_rejected():
    with pytest.raises(ValidationError, match="real name"):
        _plan_input(target_name="[Name]")


def test_plan_checks_drafts_against_the_recommended_path():
    inp = _plan_input()
    data = OfflinePlanner().plan(inp).plan.model_dump()
    Plan.model_validate(data, context=plan_context(inp))

    wrong_recipient = {**data, "drafts": [dict(d) for d in data["drafts"]]}
    wrong_recipient["drafts"][0]["recipient_name"] = "王五"
    with pytest.raises(ValidationError, match="is addressed to"):
        Plan.model_validate(wrong_recipient)

    english = {**data, "drafts": [dict(d) for d in data["drafts"]]}
    english["drafts"][1]["body"] = "Dear Zhang Wei, " + "thanks " * 100
    with pytest.raises(ValidationError, match="Simplified Chinese"):
        Plan.model_validate(english)

    missing = {**data, "drafts": data["drafts"][:1]}
    with pytest.raises(ValidationError, match="needs 2 drafts"):
        Plan.model_validate(missing)


def test_draft_length_counts_words_or_characters():
    assert draft_length("Hi there, how are you?", "en") == 5
    assert draft_length("您好，我是李雷，邮箱 lilei@example.com。", "zh-hans") == 9


def test_plan_input_round_trips_through_json():
    inp = _plan_input(contacts=[{"name": "赵磊", "email": None, "company": "腾讯", "title": "", "school": None}])
    again = PlanInput.model_validate_json(inp.model_dump_json())
    assert again == inp
    assert again.contacts[0].title is None
