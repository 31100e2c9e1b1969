"""The offline planner: a deterministic strategy and drafts from the intake alone, no network.

How it thinks:
1. research_target — read the target's title and organisation, the field they work in (keywords
   in English and Chinese), and any school in the person's background.
2. find_paths — turn the field into concrete kinds of intermediary (a founder backed by the
   firm, a co-author, a former colleague, a fellow alum, an event organiser, …), rank them, and
   put real contacts first: the target themself when the person already knows them (a direct
   path), someone at the target's organisation, then someone from the same school, then anyone.
   A path through a person you already know always outranks a path through a person you would
   still have to find. Paths are scored by the product of their tie strengths
   (strategy/grounding.py); a path with someone still to find has no score.
3. draft_emails — one email per hop of the recommended path, in the person's language.

The same intake always gives the same plan: wording variants are chosen by a random generator
seeded from a hash of the intake.
"""

from __future__ import annotations

import hashlib
import random
import time
from dataclasses import dataclass, field

from sixdegrees.network.text import has_han

from .drafting import Hop, Writer
from .fields import detect_field, find_school, is_school, same_org, same_school, split_title
from .grounding import ground_path, target_contact
from .outcome import OperationKind, OperationRecord, PlanOutcome
from .routes import (
    CONTACT_ROUTES,
    EVENTS,
    FIELD_ROUTES,
    INSIGHT,
    NEEDS_COMPANY,
    PEOPLE,
    ROUTES,
    RouteText,
    by_language,
)
from .schema import ChainNode, Contact, Draft, Path, Plan, PlanInput, Strategy, plan_context
from .schema import clean_text as clean

# Ordering weights, not probabilities (never shown): role-based routes stay below MAX_ROLE_WEIGHT,
# so a real contact (≥ 0.58) always ranks first among paths with the same score.
MAX_ROLE_WEIGHT = 0.56
CONTACT_WEIGHT = {
    "contact_org": 0.80,
    "contact_former": 0.74,
    "contact_school_direct": 0.70,
    "contact_school": 0.64,
    "contact_any": 0.58,
}
_TIER_ORDER = {"contact_org": 0, "contact_former": 1, "contact_school": 2, "contact_any": 3}
DIRECT_WEIGHT = 1.0


@dataclass
class Reading:
    """What the offline planner understood from the intake."""

    field: str
    title: str | None
    org: str | None  # the target's organisation, if one could be read
    target: str
    target_role: str  # the intake's "title/company", cleaned and kept short
    school: str | None  # a school in the person's background
    seed: int


@dataclass
class Candidate:
    label: str
    weight: float  # orders paths with equal scores; not a probability
    rationale: str
    hops: list[Hop] = field(default_factory=list)
    score: float | None = None
    direct: bool = False

    def to_path(self) -> Path:
        return Path(
            label=self.label,
            degree=len(self.hops),
            chain=[h.node for h in self.hops],
            rationale=self.rationale,
            score=self.score,
            direct=self.direct,
        )

    def rank(self) -> tuple[bool, bool, float, float]:
        """Direct first, then scored paths by score, then the rest by weight."""
        return (not self.direct, self.score is None, -(self.score or 0.0), -self.weight)


def _short(text: str | None, limit: int = 60) -> str | None:
    """Organisation and school names as they read in a sentence: short, at a word boundary."""
    if not text:
        return None
    text = clean(text)
    if len(text) <= limit:
        return text or None
    head = text[:limit]
    for sep in (",", "，", " (", "（", " - ", " | "):
        if sep in head:
            return head.split(sep)[0].strip() or None
    return (head.rsplit(" ", 1)[0] if " " in head else head).strip() or None


def read_intake(inp: PlanInput) -> Reading:
    role = split_title(inp.target_company)
    digest = hashlib.sha256(inp.model_dump_json().encode()).hexdigest()
    return Reading(
        field=detect_field(inp.target_company, inp.target_reason, inp.user_background),
        title=_short(role.title),
        org=_short(role.org),
        target=clean(inp.target_name),
        target_role=_short(inp.target_company, 90) or clean(inp.target_name),
        school=_short(find_school(inp.user_background)),
        seed=int(digest[:16], 16),
    )


class OfflinePlanner:
    name = "offline"

    def plan(self, inp: PlanInput) -> PlanOutcome:
        operations: list[OperationRecord] = []

        started = time.perf_counter()
        reading = read_intake(inp)
        analysis = self.analyse(inp, reading)
        operations.append(
            self._record(
                "research_target",
                started,
                f"Read {reading.target}'s role and field ({reading.field})",
                {"target_analysis": analysis, "field": reading.field},
            )
        )

        started = time.perf_counter()
        candidates = self.find_paths(inp, reading)
        paths = [c.to_path() for c in candidates]
        summary = self.summarise(inp.language, candidates)
        strategy = {"target_analysis": analysis, "summary": summary, "paths": paths, "recommended_path": 0}
        operations.append(
            self._record(
                "find_paths",
                started,
                f"Ranked {len(paths)} paths; recommended: {candidates[0].label}",
                {"summary": summary, "paths": [p.model_dump() for p in paths], "recommended_path": 0},
            )
        )

        started = time.perf_counter()
        drafts = self.write_drafts(self.writer(inp, reading), candidates[0].hops)
        plan = Plan.model_validate(
            {
                "strategy": Strategy.model_validate(strategy).model_dump(),
                "drafts": [d.model_dump() for d in drafts],
                "language": inp.language,
            },
            context=plan_context(inp),
        )
        operations.append(
            self._record(
                "draft_emails",
                started,
                f"Wrote {len(drafts)} draft{'s' if len(drafts) != 1 else ''} in {inp.language}",
                {"drafts": [d.model_dump() for d in plan.drafts]},
            )
        )
        return PlanOutcome(plan=plan, planner_used="offline", operations=operations)

    def draft_path(self, inp: PlanInput, path: Path) -> list[Draft]:
        """Drafts for any path of a plan (the person may choose one other than the recommended).

        A path this planner proposed gets exactly the drafts it would have written; a path from
        another planner is drafted from its chain's names and roles.
        """
        reading = read_intake(inp)
        wanted = [node.name for node in path.chain]
        hops = next(
            (c.hops for c in self.find_paths(inp, reading) if [h.node.name for h in c.hops] == wanted),
            None,
        )
        if hops is None:
            hops = self._hops_for_chain(inp, reading, path)
        return self.write_drafts(self.writer(inp, reading), hops)

    @staticmethod
    def write_drafts(writer: Writer, hops: list[Hop]) -> list[Draft]:
        drafts = []
        for i, hop in enumerate(hops):
            prev = hops[i - 1] if i else None
            if hop.kind == "target":
                drafts.append(writer.target_draft(hop, i + 1, prev))
            else:
                drafts.append(writer.ask_draft(hop, i + 1, hops[i + 1], prev))
        return drafts

    def _hops_for_chain(self, inp: PlanInput, reading: Reading, path: Path) -> list[Hop]:
        zh = inp.language == "zh-hans"
        hops: list[Hop] = []
        for index, node in enumerate(path.chain):
            if node.kind == "target" or index == len(path.chain) - 1:
                # The node as the plan has it: a target in the person's network keeps its address.
                hops.append(Hop(node=node, kind="target", known=index == 0 and node.person_id is not None))
                continue
            nxt = path.chain[index + 1]
            prev = path.chain[index - 1] if index else None
            text = RouteText(
                name=node.name,
                role=node.role,
                label=path.label,
                why=(
                    f"您与{reading.target}有联系（{node.role}）"
                    if zh
                    else f"of your connection to {reading.target}: {_sentence_case(node.role)}"
                ),
                someone=nxt.name if zh else _lower_first(nxt.name),
                via=(prev.name if zh else _lower_first(prev.name)) if prev else "",
                rationale=path.rationale,
            )
            # Someone with an address who is not still to find is someone the person named: known.
            known = node.person_id is not None or (bool(node.email) and not node.to_find)
            hops.append(Hop(node=node, kind="contact_any" if known else "generic", text=text, known=known))
        return hops

    # ---- research ----------------------------------------------------------------------------

    def analyse(self, inp: PlanInput, reading: Reading) -> str:
        zh = inp.language == "zh-hans"
        writer = self.writer(inp, reading)
        reason = writer.excerpt(inp.target_reason, 30 if zh else 18)
        target, role = reading.target, reading.target_role
        if zh:
            parts = [f"您想联系的是{target}（{role}）。", by_language(INSIGHT[reading.field], inp.language)]
            parts.append(f"您的理由是“{reason}”，下面每封邮件都围绕这一点来写，让每位引荐人都清楚自己要转达什么。")
            if reading.school:
                parts.append(f"您的{reading.school}背景还多了一条校友路径。")
            if target_contact(inp) is not None:
                parts.append(f"{target}已经在您的人脉中，所以第一条路径是您直接写信给对方。")
            elif inp.contacts:
                parts.append(f"您的人脉中有{len(inp.contacts)}位可能帮得上忙的人，我们会优先从您已经认识的人开始。")
            return "".join(parts)
        parts = [f"You want to reach {target} ({role}).", by_language(INSIGHT[reading.field], inp.language)]
        parts.append(
            f"Your reason, “{reason}”, is what every draft below is built around, so each "
            "introducer knows exactly what they are passing on."
        )
        if reading.school:
            parts.append(f"Your {reading.school} background opens an alumni route as well.")
        if target_contact(inp) is not None:
            parts.append(f"{target} is already in your network, so the first path is you writing to them directly.")
        elif inp.contacts:
            n = len(inp.contacts)
            parts.append(
                f"Your network has {n} {'person' if n == 1 else 'people'} who may help, so the plan "
                "starts with people you already know."
            )
        return " ".join(parts)

    # ---- paths -------------------------------------------------------------------------------

    def find_paths(self, inp: PlanInput, reading: Reading) -> list[Candidate]:
        roles = self._role_candidates(inp, reading)
        contacts = self._contact_candidates(inp, reading, roles)
        direct = self._direct_candidate(inp, reading)
        if direct is not None:
            contacts = [direct, *contacts[:2]]
        total = min(4, len(contacts) + 2) if contacts else 3
        chosen = contacts + roles[: total - len(contacts)]
        for candidate in chosen:
            self._ground(inp, candidate)
        chosen.sort(key=Candidate.rank)
        return chosen

    @staticmethod
    def _ground(inp: PlanInput, candidate: Candidate) -> None:
        """Tie the candidate's nodes to the person's contacts and score it (strategy/grounding.py)."""
        path = ground_path(inp, candidate.to_path())
        for hop, node in zip(candidate.hops, path.chain, strict=True):
            hop.node = node
        candidate.score, candidate.direct = path.score, path.direct

    def _direct_candidate(self, inp: PlanInput, reading: Reading) -> Candidate | None:
        """The person already knows the target: the shortest path is one email, from them."""
        contact = target_contact(inp)
        if contact is None:
            return None
        zh = inp.language == "zh-hans"
        node = ChainNode(name=reading.target, role=reading.target_role, email=contact.email, kind="target")
        evidence = contact.evidence or ""
        if zh:
            label = f"直接联系：您已经认识{reading.target}"
            rationale = f"{reading.target}已经在您的人脉中（{evidence}）。由您亲自写信是最短的路径，不需要任何人引荐。"
        else:
            label = f"Directly: you already know {reading.target}"
            rationale = (
                f"{reading.target} is already in your network ({evidence}). Writing to them yourself is "
                "the shortest path there is, and nobody needs to pass anything on."
            )
        hop = Hop(node=node, kind="target", known=True)
        return Candidate(label=label, weight=DIRECT_WEIGHT, rationale=clean(rationale), hops=[hop])

    def _slots(self, inp: PlanInput, reading: Reading, **extra: str) -> dict[str, str]:
        zh = inp.language == "zh-hans"
        org = reading.org or (f"{reading.target}所在的机构" if zh else f"{reading.target}'s organisation")
        slots = {
            "target": reading.target,
            "org": org,
            "at_org": f" at {reading.org}" if reading.org and not zh else "",
            "school": reading.school or "",
            "events": by_language(EVENTS[reading.field], inp.language),
            "people": by_language(PEOPLE[reading.field], inp.language),
            "contact": "",
            "someone": "",
        }
        slots.update(extra)
        return slots

    def _route_text(self, kind: str, language: str, slots: dict[str, str]) -> RouteText:
        table = ROUTES if kind in ROUTES else CONTACT_ROUTES
        raw = table[kind][language]
        return RouteText(**{k: v.format(**slots) for k, v in vars(raw).items()})

    def _role_hop(self, kind: str, inp: PlanInput, slots: dict[str, str]) -> Hop:
        text = self._route_text(kind, inp.language, slots)
        node = ChainNode(name=text.name, role=text.role, email=None, kind="intermediary")
        return Hop(node=node, kind=kind, text=text)

    def _target_hop(self, reading: Reading) -> Hop:
        node = ChainNode(name=reading.target, role=reading.target_role, email=None, kind="target")
        return Hop(node=node, kind="target")

    def _role_candidates(self, inp: PlanInput, reading: Reading) -> list[Candidate]:
        slots = self._slots(inp, reading)
        candidates = []
        for kind, base in FIELD_ROUTES[reading.field]:
            if kind == "alumni" and not reading.school:
                continue
            if kind in NEEDS_COMPANY and (not reading.org or is_school(reading.org)):
                continue
            weight = base
            if not reading.org and kind in {"colleague", "editor_peer", "alumni"}:
                weight -= 0.06
            if kind == "alumni" and same_school(reading.school, reading.org):
                kind, weight = "alumni_inside", weight + 0.08
            hop = self._role_hop(kind, inp, slots)
            candidates.append(
                Candidate(
                    label=hop.text.label if hop.text else kind,
                    weight=min(weight, MAX_ROLE_WEIGHT),
                    rationale=hop.text.rationale if hop.text else "",
                    hops=[hop, self._target_hop(reading)],
                )
            )
        candidates.sort(key=lambda c: -c.weight)
        return candidates

    def _contact_candidates(self, inp: PlanInput, reading: Reading, roles: list[Candidate]) -> list[Candidate]:
        ranked: list[tuple[int, float, int, int, Contact, str]] = []
        for index, contact in enumerate(inp.contacts):
            name = clean(contact.name)
            if contact.relation == "target" or not name:
                continue
            if name.casefold() in {reading.target.casefold(), clean(inp.user_name).casefold()}:
                continue
            if contact.relation == "at_org":
                tier = "contact_org"
            elif contact.relation == "worked_there":
                tier = "contact_former"
            elif same_org(contact.company, reading.org) or same_org(contact.company, inp.target_company):
                tier = "contact_org"
            elif same_school(contact.school, reading.school) or (
                is_school(reading.org)
                and (same_school(contact.school, reading.org) or same_org(contact.company, reading.org))
            ):
                tier = "contact_school"
            else:
                tier = "contact_any"
            about = " ".join(filter(None, [contact.title, contact.company]))
            relevant = 1 if about and reading.field != "general" and detect_field(about, "", "") == reading.field else 0
            strength = -(contact.strength or 0.0)
            ranked.append((_TIER_ORDER[tier], strength, -relevant, index, contact, tier))
        ranked.sort(key=lambda r: r[:4])

        candidates = []
        for _, _, minus_relevant, _, contact, tier in ranked[:2]:
            candidates.append(self._contact_path(inp, reading, contact, tier, roles, -minus_relevant))
        return candidates

    def _contact_path(
        self, inp: PlanInput, reading: Reading, contact: Contact, tier: str, roles: list[Candidate], relevant: int
    ) -> Candidate:
        name = clean(contact.name)
        school = _short(contact.school) or reading.school or ""
        hops: list[Hop] = []
        next_hop: Hop | None = None
        key = tier
        if tier == "contact_school":
            at_target_school = is_school(reading.org) and (
                same_school(contact.school, reading.org) or same_org(contact.company, reading.org)
            )
            if at_target_school:
                key = "contact_school_direct"
            else:
                next_hop = self._role_hop("alumni", inp, self._slots(inp, reading, school=school))
        elif tier == "contact_any":
            best = next((c.hops[0] for c in roles if c.hops[0].kind not in {"event", "alumni"}), roles[0].hops[0])
            next_hop = best
        someone = next_hop.text.someone if next_hop and next_hop.text else ""
        slots = self._slots(inp, reading, contact=name, school=school, someone=someone)
        text = self._route_text(tier, inp.language, slots)
        node = ChainNode(
            name=name,
            role=self._contact_role(contact, inp.language, text.role),
            email=contact.email,
            kind="intermediary",
        )
        hops.append(Hop(node=node, kind=tier, text=text, known=True))
        if next_hop is not None:
            hops.append(next_hop)
        hops.append(self._target_hop(reading))
        return Candidate(
            label=text.label,
            weight=CONTACT_WEIGHT[key] + 0.03 * relevant,
            rationale=text.rationale,
            hops=hops,
        )

    @staticmethod
    def _contact_role(contact: Contact, language: str, fallback: str) -> str:
        title, company, school = _short(contact.title), _short(contact.company), _short(contact.school)
        if language == "zh-hans":
            parts = [p for p in (company, title) if p]
            if parts:
                glue = "" if all(has_han(p) for p in parts) else " "
                return "您认识的人：" + glue.join(parts)
            return f"您认识的人：{school}校友" if school else fallback
        if title and company:
            return f"Someone you know: {title} at {company}"
        if title:
            return f"Someone you know: {title}"
        if company:
            return f"Someone you know at {company}"
        return f"Someone you know from {school}" if school else fallback

    def summarise(self, language: str, candidates: list[Candidate]) -> str:
        best = candidates[0]
        n, backups = len(best.hops), len(candidates) - 1
        to_find = next((h.node.name for h in best.hops if h.node.to_find), None)
        known = any(h.known for h in best.hops)
        if language == "zh-hans":
            if best.direct:
                head = f"{best.hops[0].node.name}已经在您的人脉中，所以推荐您直接写信：只需1封邮件。"
            else:
                head = f"推荐路径：{best.label}。共需{n}封邮件。"
            if best.score is not None:
                score = f"这条路径的关系强度得分为{best.score:.2f}（路径上各段关系强度的乘积）。"
            elif to_find and not known:
                score = (
                    f"您的人脉中还没有人在这条路径上，第一步需要找到：{to_find}。在找到具体的人之前，这条路径没有得分。"
                )
            elif to_find:
                score = f"这条路径上还需要找到：{to_find}。在找到具体的人之前，这条路径没有得分。"
            else:
                score = "这条路径上的关系强度尚未测量，所以暂无得分。"
            return f"{head}{score}另有{backups}条备选路径排列在下方。每封邮件在您确认之前都只是草稿。"
        if best.direct:
            head = f"You already know {best.hops[0].node.name}, so the recommended route is to write to them yourself: one email."
        else:
            route = best.label[0].lower() + best.label[1:]  # every label reads "Through …"
            head = f"Recommended route: {route}. It takes {n} email{'s' if n != 1 else ''}."
        if best.score is not None:
            score = f"Its tie-strength score is {best.score:.2f} (the product of the strengths of its ties)."
        elif to_find and not known:
            score = (
                f"Nobody in your network is on it yet, so the first step is someone to find: "
                f"{_lower_first(to_find)}. It has no score until you know who that is."
            )
        elif to_find:
            score = f"It still needs someone to find ({_lower_first(to_find)}), so it has no score until you know who."
        else:
            score = "Its ties have no measured strength yet, so it has no score."
        backup_text = f"{backups} backup route{'s are' if backups != 1 else ' is'}"
        return f"{head} {score} {backup_text} ranked below. Every email stays a draft until you approve it."

    # ---- drafts ------------------------------------------------------------------------------

    def writer(self, inp: PlanInput, reading: Reading) -> Writer:
        zh = inp.language == "zh-hans"
        return Writer(
            language=inp.language,
            field=reading.field,
            rng=random.Random(reading.seed),
            user=clean(inp.user_name),
            email=inp.user_email,
            background=inp.user_background,
            reason=inp.target_reason,
            target=reading.target,
            target_role=reading.target_role,
            org=reading.org or (f"{reading.target}所在的机构" if zh else f"{reading.target}'s organisation"),
            org_known=reading.org is not None,
        )

    @staticmethod
    def _record(kind: OperationKind, started: float, description: str, result: dict) -> OperationRecord:
        return OperationRecord(
            kind=kind,
            planner="offline",
            status="completed",
            description=description,
            duration_ms=round((time.perf_counter() - started) * 1000),
            result=result,
        )


def _sentence_case(text: str) -> str:
    """ "Runs a company" reads as "runs a company" after a colon; "PhD student", "Stripe" keep theirs."""
    if len(text) > 1 and text[0].isupper() and text[1].islower() and text.split()[0].lower() in _VERBISH:
        return text[0].lower() + text[1:]
    return _lower_first(text)


# First words of route roles (routes.py) that are not names: "Has worked…", "Runs…", "Organises…".
_VERBISH = {"has", "runs", "organises", "works", "shares", "studied", "invests", "co-invests", "leads", "is"}


def _lower_first(text: str) -> str:
    """ "A colleague of X" reads as "a colleague of X" mid-sentence; names keep their capitals."""
    first, _, rest = text.partition(" ")
    if first in {"A", "An", "The", "Someone", "Anyone"}:
        return f"{first.lower()} {rest}".strip()
    return text
