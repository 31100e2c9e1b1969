"""The shape of a strategy: what goes into a planner and what must come out of one.

Both planners (offline and Anthropic) produce a `Plan`, and both are held to the same rules here,
so a plan that reaches the dashboard is always complete: 2–4 ranked paths that end at the target,
one draft per hop of the recommended path, and no template leftovers such as `[Name]`.

Conventions:
- A path's `chain` lists the people the emails go to, in order, *excluding* the person asking and
  *including* the target as the last node. So `degree` (number of hops, i.e. emails in the chain)
  equals `len(chain)`, which is the number of intermediaries + 1.
- Draft length is measured with `draft_length`: English counts whitespace-separated words;
  Chinese counts each Han character as one and each run of Latin letters/digits (a name, an
  e-mail address) as one. The offline planner writes within `OFFLINE_LENGTH`; any plan must fall
  within the looser `ACCEPTED_LENGTH`, so a model's 210-word draft is not thrown away.
- Cross-checks that need the request (the target's name, which e-mail addresses are real) run
  when validation is given a context: `Plan.model_validate(data, context=plan_context(inp))`.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    model_validator,
)

from sixdegrees.network.text import HAN, has_han  # the one definition of what Chinese text is

Language = Literal["en", "zh-hans"]

OFFLINE_LENGTH: dict[str, tuple[int, int]] = {"en": (120, 200), "zh-hans": (150, 400)}
ACCEPTED_LENGTH: dict[str, tuple[int, int]] = {"en": (60, 350), "zh-hans": (80, 700)}

_ZH_UNITS_RE = re.compile(f"[{HAN}]|[A-Za-z0-9][\\w.@+'’-]*")

# Template leftovers a model (or a careless template) might emit. Each is specific enough that
# ordinary prose does not trip it: `[1]` citations, e-mail addresses in <...>, "a contact" pass.
_PLACEHOLDER_RES = [
    re.compile(rf"\[[^\[\]\n]{{0,40}}[A-Za-z{HAN}][^\[\]\n]{{0,40}}\]"),  # [Name], [your company]
    re.compile(r"【[^】\n]{1,30}】"),  # 【姓名】
    re.compile(rf"\{{\{{?\s*[A-Za-z_{HAN}][^{{}}\n]{{0,40}}\}}\}}?"),  # {name}, {{first_name}}
    re.compile(rf"<\s*/?\s*[A-Za-z{HAN}][^<>@\n]{{0,40}}>"),  # <Name>, </intake>
    re.compile(
        r"(?i)\b(?:connection|intermediary|contact|person|introducer|friend|target|hop|node|"
        r"recipient)\s*#?\s*\d+\b"
    ),  # Connection 1, Intermediary 2
    re.compile(r"(?i)\blorem\b|\bipsum dolor\b"),
    re.compile(r"\b(?:TBD|TBA|TODO|FIXME)\b"),
    re.compile(r"(?<![A-Za-z0-9])(?:X{2,}|x{3,})(?![A-Za-z0-9])"),  # XXX, XX公司
    re.compile(r"某某"),
    re.compile(r"[（(]\s*(?:姓名|名字|称呼|公司名?|职位|对方姓名|您的名字|收件人)\s*[）)]"),
    re.compile(r"(?i)\byour name here\b|\binsert [a-z' ]{1,30} here\b"),
    re.compile(r"(?i)\b[a-z]+_name\b"),  # first_name, target_name
    re.compile(r"%\(\w+\)[sd]|(?<![\w%])%s(?!\w)"),
]

_EMAIL_RE = re.compile(r"^[^@\s<>()\[\],;:\"]+@[^@\s<>()\[\],;:\"]+\.[A-Za-z]{2,}$")


def find_placeholders(text: str) -> list[str]:
    """Every placeholder-looking fragment in `text`, in order of appearance."""
    return list(_placeholders_in(text))


# A plan validates the same role descriptions and sentences many times over (every path, every
# draft, every model copy); thirteen scans of each was a fifth of the planning time.
@functools.lru_cache(maxsize=4096)
def _placeholders_in(text: str) -> tuple[str, ...]:
    found: list[tuple[int, str]] = []
    for pattern in _PLACEHOLDER_RES:
        found.extend((m.start(), m.group(0)) for m in pattern.finditer(text))
    return tuple(fragment for _, fragment in sorted(found))


def scrub_placeholders(text: str) -> str:
    """`text` with placeholder-looking fragments removed, for quoting a person's own words."""
    for pattern in _PLACEHOLDER_RES:
        text = pattern.sub(" ", text)
    text = re.sub(r"[ \t]+([,.;:!?，。；：！？])", r"\1", text)
    return re.sub(r"[ \t]{2,}", " ", text).strip()


def clean_text(text: str) -> str:
    """One line, no placeholders, no stray quotes: safe to quote in a draft."""
    text = scrub_placeholders(" ".join(text.split()))
    return text.strip(" \"'“”‘’「」『』")


def draft_length(text: str, language: str) -> int:
    """Words for English, Han characters plus Latin runs for Chinese (see the module docstring)."""
    if language == "zh-hans":
        return len(_ZH_UNITS_RE.findall(text))
    return len(text.split())


def normalize_name(text: str) -> str:
    """Case-, width- and whitespace-insensitive form of a name, for comparisons."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def _no_placeholders(value: str) -> str:
    found = find_placeholders(value)
    if found:
        shown = ", ".join(repr(f) for f in found[:3])
        raise ValueError(
            f"contains template placeholder text ({shown}); write the real words instead, "
            "describing unknown people by their role"
        )
    return value


def _check_email(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    if not _EMAIL_RE.match(value):
        raise ValueError("is not an e-mail address")
    return value


def _blank_to_none(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _length(max_length: int) -> StringConstraints:
    return StringConstraints(strip_whitespace=True, min_length=1, max_length=max_length)


_NO_PLACEHOLDERS = AfterValidator(_no_placeholders)

# Generated text: stripped, non-empty, placeholder-free, bounded.
Label = Annotated[str, _length(200), _NO_PLACEHOLDERS]
Name = Annotated[str, _length(240), _NO_PLACEHOLDERS]
Subject = Annotated[str, _length(200), _NO_PLACEHOLDERS]
Role = Annotated[str, _length(300), _NO_PLACEHOLDERS]
Paragraph = Annotated[str, _length(1200), _NO_PLACEHOLDERS]
Essay = Annotated[str, _length(3000), _NO_PLACEHOLDERS]
Body = Annotated[str, _length(6000), _NO_PLACEHOLDERS]
# A person's own text: stripped, non-empty, bounded (their words may contain anything).
PersonName = Annotated[str, _length(100)]
OrgText = Annotated[str, _length(200)]
FreeText = Annotated[str, _length(2000)]
Email = Annotated[str | None, BeforeValidator(_blank_to_none), AfterValidator(_check_email)]
OptionalField = Annotated[
    Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None,
    BeforeValidator(_blank_to_none),
]


def _normalize_language(value: Any) -> Any:
    if isinstance(value, str):
        key = value.strip().lower().replace("_", "-")
        if key in {"zh", "zh-cn", "zh-hans", "zh-hans-cn", "zh-sg", "cn"}:
            return "zh-hans"
        if key.startswith("en"):
            return "en"
    return value


Relation = Literal["target", "at_org", "worked_there", "school", "field"]
Strength = Annotated[float, Field(ge=0, le=1)]


class Contact(BaseModel):
    """Someone the person already knows (from their address book or the network app).

    Contacts from the network (network/candidates.py) carry their id, the tie's strength, the
    evidence for it and how they relate to the target; contacts typed elsewhere may lack them.
    """

    model_config = ConfigDict(str_strip_whitespace=True)

    name: PersonName
    email: Email = None
    company: OptionalField = None
    title: OptionalField = None
    school: OptionalField = None
    person_id: OptionalField = None
    strength: Strength | None = None
    evidence: OptionalField = None
    relation: Relation | None = None


class PlanInput(BaseModel):
    """An intake: who the person is, whom they want to reach, why, and whom they know."""

    model_config = ConfigDict(str_strip_whitespace=True)

    user_name: PersonName
    user_email: Annotated[str, AfterValidator(_check_email)]
    user_background: FreeText
    target_name: PersonName
    target_company: OrgText
    target_reason: FreeText
    language: Annotated[Language, BeforeValidator(_normalize_language)] = "en"
    contacts: list[Contact] = Field(default_factory=list, max_length=500)

    @model_validator(mode="after")
    def _names_are_real(self) -> PlanInput:
        for field in ("user_name", "target_name"):
            if not clean_text(getattr(self, field)):
                raise ValueError(f"{field} must be a real name")
        return self


class ChainNode(BaseModel):
    """One person an email goes to. Unknown people are named by their role, never `[Name]`.

    `strength` and `evidence` describe the tie that leads to this node (from the person, or from
    the node before): known for the person's own contacts, a stated prior for a colleague's tie
    to the target (strategy/grounding.py), None when nobody can know it. A node nobody has named
    yet is `to_find`: its name says whom to look for.
    """

    name: Name = Field(description="Real name, or a descriptive role such as 'A former colleague of Jane Doe at Acme'.")
    role: Role = Field(description="Who this person is and why they can help.")
    email: Email = Field(default=None, description="Only a real address from the person's contacts.")
    kind: Literal["intermediary", "target"]
    person_id: str | None = None
    strength: Strength | None = None
    evidence: Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)] | None = None
    to_find: bool = False


class Path(BaseModel):
    """One way to the target. `degree` = hops = emails = len(chain) = intermediaries + 1.

    `score` is the product of the strengths of the path's ties (None while one of them is
    unknown, e.g. a role still to find); nothing here guesses a chance of a reply.
    """

    label: Label = Field(description="A short name for this route.")
    degree: int = Field(ge=1, le=4, description="Number of hops: len(chain).")
    chain: list[ChainNode] = Field(min_length=1, max_length=4)
    rationale: Paragraph = Field(description="Why this path.")
    score: Strength | None = None
    direct: bool = False  # the person already knows the target: the path is one email

    @model_validator(mode="after")
    def _chain_is_consistent(self) -> Path:
        if self.chain[-1].kind != "target":
            raise ValueError("the last node of the chain must be the target (kind 'target')")
        if any(node.kind != "intermediary" for node in self.chain[:-1]):
            raise ValueError("every node before the last must have kind 'intermediary'")
        if self.degree != len(self.chain):
            raise ValueError(
                f"degree is {self.degree} but the chain has {len(self.chain)} nodes; "
                "degree must equal the number of nodes (intermediaries + the target)"
            )
        return self


class Strategy(BaseModel):
    target_analysis: Essay
    summary: Essay
    paths: list[Path] = Field(min_length=2, max_length=4)
    recommended_path: int = Field(ge=0, description="Index into paths.")

    @model_validator(mode="after")
    def _recommended_exists(self, info: ValidationInfo) -> Strategy:
        if self.recommended_path >= len(self.paths):
            raise ValueError(
                f"recommended_path is {self.recommended_path} but there are only "
                f"{len(self.paths)} paths (indexes start at 0)"
            )
        context = info.context or {}
        target = context.get("target_name")
        allowed = context.get("allowed_emails")
        for i, path in enumerate(self.paths):
            last = path.chain[-1]
            if target and normalize_name(last.name) != normalize_name(target):
                raise ValueError(f"paths[{i}] ends with {last.name!r}, not the target {target!r}")
            for node in path.chain:
                if allowed is not None and node.email and node.email.lower() not in allowed:
                    raise ValueError(
                        f"paths[{i}] gives {node.name!r} the address {node.email!r}, which is not "
                        "one of the person's contacts; use null for unknown addresses"
                    )
        return self

    @property
    def recommended(self) -> Path:
        return self.paths[self.recommended_path]


class Draft(BaseModel):
    """The email for one hop of the recommended path."""

    hop: int = Field(ge=1, le=4)
    recipient_name: Name
    recipient_email: Email = None
    recipient_role: Role
    subject: Subject
    body: Body


class Plan(BaseModel):
    strategy: Strategy
    drafts: list[Draft] = Field(min_length=1, max_length=4)
    language: Language

    @model_validator(mode="after")
    def _drafts_follow_the_path(self, info: ValidationInfo) -> Plan:
        path = self.strategy.recommended
        if len(self.drafts) != path.degree:
            raise ValueError(
                f"the recommended path has {path.degree} hops, so it needs {path.degree} drafts, not {len(self.drafts)}"
            )
        low, high = ACCEPTED_LENGTH[self.language]
        context = info.context or {}
        target = context.get("target_name")
        for i, (draft, node) in enumerate(zip(self.drafts, path.chain, strict=True)):
            where = f"drafts[{i}]"
            if draft.hop != i + 1:
                raise ValueError(f"{where} has hop {draft.hop}; hops must be 1, 2, … in order")
            if normalize_name(draft.recipient_name) != normalize_name(node.name):
                raise ValueError(
                    f"{where} is addressed to {draft.recipient_name!r} but hop {i + 1} of the "
                    f"recommended path is {node.name!r}"
                )
            if (draft.recipient_email or None) != (node.email or None):
                raise ValueError(f"{where} recipient_email must match the chain node's email")
            size = draft_length(draft.body, self.language)
            if not low <= size <= high:
                unit = "words" if self.language == "en" else "characters"
                raise ValueError(f"{where} body is {size} {unit}; keep it between {low} and {high}")
            if self.language == "zh-hans" and not has_han(draft.body):
                raise ValueError(f"{where} must be written in Simplified Chinese")
            if target and not _mentions(draft.body, target):
                raise ValueError(f"{where} must mention the target, {target}, by name")
        return self


def _mentions(body: str, name: str) -> bool:
    """The full name, or one of its parts (a Chinese draft may write only the family name)."""
    haystack = normalize_name(body)
    full = normalize_name(name)
    if full in haystack:
        return True
    parts = [p for p in re.split(r"[\s.,]+", full) if len(p) >= 2]
    if has_han(full) and len(full) >= 2:
        parts.append(full[:1] if len(full) <= 3 else full[:2])
    return any(part in haystack for part in parts)


def plan_context(inp: PlanInput) -> dict[str, Any]:
    """The validation context that ties a plan to its request."""
    return {
        "target_name": clean_text(inp.target_name),
        "allowed_emails": {c.email.lower() for c in inp.contacts if c.email},
    }
