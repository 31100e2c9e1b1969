"""Filling a role node ("I know who this is"): someone still to find becomes a real person.

The owner picks someone from their network or types a name and an address. The node in the
stored plan (the chosen path, and its copy among the drafts kept per path) becomes that person,
the path's score is worked out again from its ties, and the not-yet-sent draft for that hop is
re-addressed: its To, its recipient and its greeting change, and where the next hop's draft
names the role word for word it names them instead. An email that has left the outbox (queued, sent, replied…) is never changed:
a hop with one is refused.
"""

from __future__ import annotations

import copy
import logging
import math
import re
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from pydantic import ValidationError

from sixdegrees.campaigns import timeline
from sixdegrees.campaigns.models import Campaign
from sixdegrees.campaigns.plan import PlanUnreadable, StoredPlan
from sixdegrees.campaigns.planning import plan_input_for
from sixdegrees.lib.http import BadRequest
from sixdegrees.network.candidates import evidence_for
from sixdegrees.network.models import PersonEmail, PersonSource
from sixdegrees.network.people import effective_strength, person_of
from sixdegrees.outreach.models import EmailOutreach
from sixdegrees.strategy.drafting import greeting
from sixdegrees.strategy.offline import OfflinePlanner
from sixdegrees.strategy.schema import Draft

logger = logging.getLogger(__name__)

GREETING_MAX = 80  # a first paragraph longer than this is prose, not a greeting to replace


@dataclass(frozen=True)
class Filled:
    name: str
    email: str
    person_id: str | None
    strength: float | None  # the owner's tie to them, when they come from the network
    evidence: str


def from_network(campaign: Campaign, person_id: str) -> Filled:
    """The owner's person with this id (not hidden, with an address); 400 otherwise, never a hint."""
    person = person_of(campaign.owner, person_id)
    if person is None or person.hidden:
        raise BadRequest(
            _("Choose someone from your network."), fields={"person_id": _("Not someone in your network.")}
        )
    address = PersonEmail.objects.filter(owner=campaign.owner, person=person).order_by("position", "id").first()
    if address is None:
        raise BadRequest(
            _("We have no email address for %(name)s. Type their address instead.") % {"name": person.name},
            fields={"email": _("Add their email address.")},
        )
    kinds = set(PersonSource.objects.filter(person=person).values_list("kind", flat=True))
    return Filled(
        name=person.name or address.address,
        email=address.address,
        person_id=person.pk,
        strength=round(min(1.0, max(0.0, effective_strength(person, kinds))), 4),
        evidence=evidence_for(person, kinds, campaign.language),
    )


def typed_in(name: str, email: str, language: str) -> Filled:
    evidence = (
        "您自己填写的联系人：关系强度未测量" if language.startswith("zh") else "Typed in by you; tie not measured"
    )
    return Filled(name=name, email=email, person_id=None, strength=None, evidence=evidence)


def fill_role(campaign: Campaign, hop: int, filled: Filled) -> None:
    """Make hop `hop` of the chosen path `filled`, re-address its draft, and record it.

    Drafts the person has not edited are written again for the path as it now is (to someone
    they know, and the target's saying who introduced them); an edited draft keeps its words and
    only its To, recipient and greeting change.
    """
    plan = campaign.plan_view()
    index = plan.path_index(campaign.selected_path)
    if index is None or plan.legacy:
        raise BadRequest(_("This campaign has no path to change."), status=409)
    chain = plan.paths[index].chain
    if not 1 <= hop <= len(chain) or chain[hop - 1].kind == "target":
        raise BadRequest(_("Choose one of the people to find on your path."), fields={"hop": _("Not a valid step.")})
    if not chain[hop - 1].fillable:
        raise BadRequest(_("This step already names someone you know."), status=409)
    old_name = chain[hop - 1].name
    with transaction.atomic():
        emails = list(EmailOutreach.objects.select_for_update().filter(campaign=campaign, hop__in=(hop, hop + 1)))
        if any(e.hop == hop and e.status != EmailOutreach.Status.DRAFT for e in emails):
            raise BadRequest(_("The email for this step has already gone out, so it stays as it was."), status=409)
        language = plan.language or campaign.language
        before = {
            d.hop: d for d in plan.drafts_by_path.get(index) or (plan.drafts if index == plan.recommended_path else [])
        }
        results = filled_results(campaign.results, index, hop, filled, old_name, language)
        fresh = redrafted(campaign, results, index)
        for email in emails:
            if email.status != EmailOutreach.Status.DRAFT:
                continue
            old, new = before.get(email.hop), fresh.get(email.hop)
            if new is not None and old is not None and (email.subject, email.body) == (old.subject, old.body):
                email.subject, email.body = new.subject, new.body
                email.recipient_email, email.recipient_name = new.recipient_email or "", new.recipient_name
            elif email.hop == hop:
                email.recipient_email, email.recipient_name = filled.email, filled.name
                email.body = readdressed(email.body, filled.name, language)
            else:
                email.body = renamed(email.body, old_name, filled.name)
            email.save(update_fields=["recipient_email", "recipient_name", "subject", "body", "updated_at"])
        campaign.results = _with_drafts(results, index, fresh)
        campaign.save(update_fields=["results", "updated_at"])
        timeline.record(campaign, "role_filled", hop=hop, name=filled.name)


def redrafted(campaign: Campaign, results: Any, index: int) -> dict[int, Draft]:
    """The offline planner's drafts for path `index` as it now stands ({} if it cannot be drafted)."""
    try:
        path = StoredPlan.from_results(results).paths[index].strict()
        drafts = OfflinePlanner().draft_path(plan_input_for(campaign), path)
    except (PlanUnreadable, ValidationError, ValueError):
        logger.warning("fill_role: could not redraft", extra={"event": "fill_role_redraft", "campaign_id": campaign.pk})
        return {}
    return {d.hop: d for d in drafts}


def _with_drafts(results: Any, index: int, fresh: dict[int, Draft]) -> Any:
    """The kept drafts of path `index` replaced by `fresh` ones, so switching paths keeps them."""
    if not fresh:
        return results
    drafts = [d.model_dump(mode="json") for _, d in sorted(fresh.items())]
    results.setdefault("drafts_by_path", {})[str(index)] = drafts
    if results["strategy"].get("recommended_path") == index:
        results["drafts"] = drafts
    return results


# The offline planner's sentences about a step still to find (strategy/offline.py summarise).
_TO_FIND_SENTENCES = re.compile(
    r"Nobody in your network is on it yet, so the first step is someone to find: [^\n]*? It has no "
    r"score until you know who that is\. ?|It still needs someone to find \([^\n]*?\), so it has no "
    r"score until you know who\. ?|您的人脉中还没有人在这条路径上，第一步需要找到：[^\n]*?在找到具体的人之前，"
    r"这条路径没有得分。|这条路径上还需要找到：[^\n]*?在找到具体的人之前，这条路径没有得分。"
)


def updated_summary(summary: str, hop: int, name: str, language: str) -> str:
    """The summary no longer says a step is to find, and says whom the person named."""
    rest = _TO_FIND_SENTENCES.sub("", summary).strip()
    if language.startswith("zh"):
        return f"您已为第{hop}步指定了{name}。{rest}"
    return f"You named {name} for step {hop}. {rest}"


def readdressed(body: str, name: str, language: str) -> str:
    """The body greeting `name` instead of whoever it greeted ("Hi there," → "Hi Priya,")."""
    head, sep, rest = body.partition("\n\n")
    line = head.strip()
    is_greeting = sep and len(line) <= GREETING_MAX and line.endswith((",", "，", "！", "!", ":", "："))
    new = greeting(name, "zh-hans" if language.startswith("zh") else "en")
    return f"{new}\n\n{rest}" if is_greeting else f"{new}\n\n{body}"


def renamed(body: str, old: str, new: str) -> str:
    """A later draft that named the role ("at the suggestion of a founder backed by X") names them."""
    lowered = old[:1].lower() + old[1:]
    return body.replace(old, new).replace(lowered, new)


def filled_results(results: Any, index: int, hop: int, filled: Filled, old_name: str, language: str) -> Any:
    """`Campaign.results` with the node, its path's score and the kept drafts for that path updated."""
    results = copy.deepcopy(results)
    strategy = results["strategy"]
    path = strategy["paths"][index]
    node = path["chain"][hop - 1]
    node.update(
        {
            "name": filled.name,
            "email": filled.email,
            "person_id": filled.person_id,
            "strength": filled.strength if hop == 1 else None,  # later ties are their contacts', unknown
            "evidence": filled.evidence,
            "to_find": False,
        }
    )
    if hop == 1:
        path["label"] = f"通过{filled.name}" if language.startswith("zh") else f"Through {filled.name}"
    strengths = [n.get("strength") for n in path["chain"]]
    path["score"] = None if any(s is None for s in strengths) else round(math.prod(strengths), 4)
    if strategy.get("recommended_path") == index and isinstance(strategy.get("summary"), str):
        strategy["summary"] = updated_summary(strategy["summary"], hop, filled.name, language)
    kept = [results.get("drafts") or []] if strategy.get("recommended_path") == index else []
    kept.append((results.get("drafts_by_path") or {}).get(str(index)) or [])
    for drafts in kept:
        for draft in drafts:
            if draft.get("hop") == hop:
                draft["recipient_name"], draft["recipient_email"] = filled.name, filled.email
                draft["body"] = readdressed(draft.get("body", ""), filled.name, language)
            elif draft.get("hop") == hop + 1:
                draft["body"] = renamed(draft.get("body", ""), old_name, filled.name)
    return results
