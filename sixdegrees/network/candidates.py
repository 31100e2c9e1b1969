"""The people in one owner's network most likely to get them to a target, best first.

Used to ground a campaign's plan (campaigns/planning.py): the planners get these people, with
their strength and the evidence for it, instead of inventing intermediaries. In order:

1. the target themself, when the owner already knows them ("target"): matched on an address or
   LinkedIn profile written in the intake, else on the same name at the same organisation;
2. people at the target's organisation ("at_org"): the same organisation key, or a work address
   at the organisation's registrable domain;
3. people who worked there ("worked_there"): an address at that domain while their organisation
   is now another one (old-company addresses linger in address books);
4. people at a school the intake names for the target ("school");
5. people in the target's field ("field"), judged from their title and organisation.

Hidden people never appear. Every query filters on the owner and is bounded; the whole list is
read in a fixed number of queries (no query per person), so a 50,000-person network plans as
fast as a small one.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q

from sixdegrees.accounts.models import User
from sixdegrees.network.keys import email_key, linkedin_handle
from sixdegrees.network.models import Person, PersonEmail, PersonSource, SourceKind
from sixdegrees.network.organisations import domain_organisation_key, organisation_key, registrable_label
from sixdegrees.network.people import effective_strength
from sixdegrees.strategy.fields import detect_field, find_school, split_title
from sixdegrees.strategy.schema import normalize_name

RELATIONS = ("target", "at_org", "worked_there", "school", "field")
MAX_CANDIDATES = 500  # PlanInput.contacts holds at most this many
PER_RELATION = 100
FIELD_SCAN = 400  # the strongest ties read when looking for people in the target's field

_ADDRESS = re.compile(r"[^@\s<>()\[\],;:\"]+@[^@\s<>()\[\],;:\"]+\.[A-Za-z]{2,}")
_PROFILE = re.compile(r"(?i)(?:https?://)?(?:[a-z]{2,3}\.)?linkedin\.com/in/[^\s/?#]+")
_DOMAIN = re.compile(r"(?i)\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}\b")


@dataclass(frozen=True)
class Candidate:
    person_id: str
    name: str
    email: str | None
    organisation: str
    title: str
    strength: float  # people.effective_strength: a correction wins, then the mailbox, then the prior
    evidence: str  # why that strength, in words the owner can check
    relation: str  # one of RELATIONS ("" for a search result)


def best_candidates(
    owner: User,
    target_name: str,
    target_company: str,
    target_reason: str = "",
    *,
    limit: int = PER_RELATION,
    language: str = "en",
) -> list[Candidate]:
    """The owner's best candidates for reaching the target, grouped by RELATIONS, strongest first."""
    limit = max(1, min(limit, MAX_CANDIDATES))
    role = split_title(target_company)
    org_keys = {key for key in (organisation_key(role.org or ""), organisation_key(target_company)) if key}
    domains = _org_domains(target_company)
    people = Person.objects.filter(owner=owner, hidden=False)
    chosen: dict[str, tuple[Person, str]] = {}

    def take(rows: list[Person], relation: str) -> None:
        for person in rows:
            if person.pk not in chosen and len(chosen) < MAX_CANDIDATES:
                chosen[person.pk] = (person, relation)

    # 1. The target: an address or profile written in the intake, else their name at their organisation.
    written = f"{target_company} {target_reason}"
    email_keys = {key for key in map(email_key, _ADDRESS.findall(written)) if key}
    handles = {h for h in map(linkedin_handle, _PROFILE.findall(written)) if h}
    target_rule = Q(pk__in=[])
    if email_keys:
        target_rule |= Q(emails__key__in=email_keys)
    if handles:
        target_rule |= Q(linkedin_handle__in=handles)
    by_key = list(people.filter(target_rule).distinct()[:5]) if email_keys or handles else []
    wanted = normalize_name(target_name)
    same_name = [p for p in people.filter(organisation_key__in=org_keys)[:2000] if normalize_name(p.name) == wanted]
    take(by_key + same_name, "target")

    # 2. People at the target's organisation: its key, or an address at its domain.
    if org_keys:
        take(list(people.filter(organisation_key__in=org_keys).order_by("-strength", "name")[:limit]), "at_org")
        domains |= _domains_of(owner, org_keys)
    if domains:
        at_domain = Q()
        for domain in sorted(domains)[:10]:
            at_domain |= Q(key__endswith="@" + domain) | Q(key__endswith="." + domain)
        ids = list(
            PersonEmail.objects.filter(at_domain, owner=owner, person__hidden=False)
            .values_list("person_id", flat=True)
            .distinct()[: limit * 2]
        )
        rows = list(people.filter(pk__in=ids).order_by("-strength", "name"))
        # 3. Someone with an address there whose organisation is now another one worked there.
        take([p for p in rows if not p.organisation_key or p.organisation_key in org_keys][:limit], "at_org")
        take([p for p in rows if p.organisation_key and p.organisation_key not in org_keys][:limit], "worked_there")

    # 4. A school the intake names for the target.
    school = find_school(target_company) or find_school(target_reason)
    school_key = organisation_key(school) if school else ""
    if school_key and school_key not in org_keys:
        take(list(people.filter(organisation_key=school_key).order_by("-strength", "name")[:limit]), "school")

    # 5. The target's field, from the titles of the strongest ties.
    field = detect_field(target_company, target_reason, "")
    if field != "general":
        strongest = people.exclude(pk__in=list(chosen)).order_by("-strength", "name")[:FIELD_SCAN]
        same_field = [p for p in strongest if detect_field(f"{p.title} {p.organisation}", "", "") == field]
        take(same_field[:limit], "field")

    return _described(owner, list(chosen.values()), language)


def _org_domains(target_company: str) -> set[str]:
    """A domain written in the intake ("Stripe (stripe.com)") names the organisation's domain."""
    found = set()
    for word in _DOMAIN.findall(target_company):
        label = registrable_label(word, accept_unknown=False)
        if label:
            found.add(label[1].lower())
    return found


def _domains_of(owner: User, org_keys: set[str]) -> set[str]:
    """The work domains people at the organisation write from (sequoiacap.com for "Sequoia Capital").

    A domain counts when its own key is the organisation's, or when at least two people there use
    it (one person's custom domain says nothing about their employer). Free mail never counts.
    """
    rows = PersonEmail.objects.filter(
        owner=owner, person__organisation_key__in=org_keys, person__hidden=False
    ).values_list("person_id", "key")
    users: dict[str, set[str]] = defaultdict(set)
    for person_id, key in rows[:1000]:
        own_key = domain_organisation_key(key)
        found = registrable_label(key.rsplit("@", 1)[1]) if own_key else None
        if found:
            users[found[1]].add(person_id)
            if own_key in org_keys:
                users[found[1]].add("")  # counts as a second voice
    return {domain for domain, people in users.items() if len(people) >= 2}


def _described(owner: User, chosen: list[tuple[Person, str]], language: str = "en") -> list[Candidate]:
    """Addresses, source kinds and evidence for every chosen person, in two queries."""
    ids = [person.pk for person, _ in chosen]
    first_email: dict[str, str] = {}
    for person_id, address in (
        PersonEmail.objects.filter(owner=owner, person_id__in=ids)
        .order_by("person_id", "position", "id")
        .values_list("person_id", "address")
    ):
        first_email.setdefault(person_id, address)
    kinds: dict[str, set[str]] = defaultdict(set)
    for person_id, kind in (
        PersonSource.objects.filter(owner=owner, person_id__in=ids).values_list("person_id", "kind").distinct()
    ):
        kinds[person_id].add(kind)
    out = []
    for person, relation in chosen:
        strength = round(min(1.0, max(0.0, effective_strength(person, kinds[person.pk]))), 4)
        out.append(
            Candidate(
                person_id=person.pk,
                name=person.name or first_email.get(person.pk, ""),
                email=first_email.get(person.pk),
                organisation=person.organisation,
                title=person.title,
                strength=strength,
                evidence=evidence_for(person, kinds[person.pk], language),
                relation=relation,
            )
        )
    order = {relation: i for i, relation in enumerate(RELATIONS)}
    out.sort(key=lambda c: (order.get(c.relation, len(order)), -c.strength, c.name))
    return [c for c in out if c.name]


def evidence_for(person: Person, kinds: set[str], language: str = "en") -> str:
    """Why this strength: the owner's correction, the mail between them, or where they were found.

    In the campaign's language, except the mailbox's own sentence, which the scan stores in English.
    """
    zh = language.startswith("zh")
    if person.strength_override is not None:
        return "这是您自己设定的关系强度" if zh else "You set this strength yourself"
    if person.measured_strength is not None and person.measured_strength > 0 and person.strength_evidence:
        return person.strength_evidence
    found = [label for kind, label in SourceKind.choices if kind in kinds and kind != SourceKind.MAILBOX]
    if found:
        if zh:
            return "来自您的联系人（" + "、".join(found) + "）；没有测量过邮件往来"
        return "In your contacts from " + ", ".join(found) + "; no emails measured"
    return person.strength_evidence or ("没有测量过邮件往来" if zh else "No emails measured")


def search(owner: User, query: str, limit: int = 10) -> list[Candidate]:
    """People in the owner's network whose name, organisation or address contains `query`."""
    query = " ".join(query.split())[:100]
    if len(query) < 2:
        return []
    rows = list(
        Person.objects.filter(owner=owner, hidden=False)
        .filter(Q(name__icontains=query) | Q(organisation__icontains=query) | Q(emails__key__icontains=query.lower()))
        .distinct()
        .order_by("-strength", "name")[: max(1, min(limit, 50))]
    )
    return _described(owner, [(person, "") for person in rows])
