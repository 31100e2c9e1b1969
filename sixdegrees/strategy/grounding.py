"""Tie strengths on a path, and the path's score: the product of them.

Both planners propose chains; this module ties each node to the person's contacts (the people
network/candidates.py found) and scores the path. Nothing here guesses a "chance of a reply".

A path's ties, in order: you → node 1 → node 2 → … → the target.

- You → one of your contacts: that contact's strength (0–1, network/people.effective_strength:
  your correction, else the mail between you, else the stated prior for where they were found).
- One of your contacts → the target: nobody has measured it. When the contact is at the target's
  organisation we count it at COLLEAGUE_PRIOR, and at FORMER_COLLEAGUE_PRIOR when they worked
  there; both are stated guesses (people who share an employer often, not always, know each
  other or someone who does), shown with the path, never presented as measured.
- Any tie into or out of someone still to find (a role such as "A founder backed by Sequoia"):
  unknown. Such a path has no score (None) until the person names who that is.

Worked example: Priya, a colleague you email weekly (strength 0.80), works at Stripe, where the
target is. The path You → Priya → target scores 0.80 × 0.30 = 0.24. If you already know the
target yourself (strength 0.60), the direct path You → target scores 0.60 and is offered first.
"""

from __future__ import annotations

import math

from .schema import ChainNode, Contact, Path, PlanInput, normalize_name

COLLEAGUE_PRIOR = 0.30  # a contact at the target's organisation knows the target (a stated guess)
FORMER_COLLEAGUE_PRIOR = 0.20  # a contact who worked there knows the target (a stated guess)
ONWARD_PRIORS = {"at_org": COLLEAGUE_PRIOR, "worked_there": FORMER_COLLEAGUE_PRIOR}


def onward_evidence(contact_name: str, target: str, relation: str, language: str) -> str:
    prior = ONWARD_PRIORS[relation]
    if language == "zh-hans":
        where = "与{target}在同一机构工作" if relation == "at_org" else "曾在{target}所在的机构工作"
        return f"{contact_name}{where.format(target=target)}；这层关系无法测量，按设定的先验值 {prior:.2f} 计算"
    where = "works where {target} works" if relation == "at_org" else "used to work where {target} works"
    return f"{contact_name} {where.format(target=target)}; not measured, counted at a stated prior of {prior:.2f}"


def to_find_evidence(language: str) -> str:
    if language == "zh-hans":
        return "还需要找到这个人：暂无关系强度"
    return "Someone to find: no tie strength until you know who"


def find_contact(inp: PlanInput, name: str, email: str | None) -> Contact | None:
    """The contact a node names: by address first, else by exactly the same name."""
    if email:
        for contact in inp.contacts:
            if contact.email and contact.email.lower() == email.lower():
                return contact
    wanted = normalize_name(name)
    return next((c for c in inp.contacts if normalize_name(c.name) == wanted), None)


def target_contact(inp: PlanInput) -> Contact | None:
    return next((c for c in inp.contacts if c.relation == "target"), None)


def ground_path(inp: PlanInput, path: Path) -> Path:
    """`path` with every node tied to the person's contacts (or marked to find), and its score."""
    chain: list[ChainNode] = []
    previous: Contact | None = None
    target = target_contact(inp)
    for index, node in enumerate(path.chain):
        if node.kind == "target":
            chain.append(_ground_target(inp, node, previous, target, direct=index == 0))
            previous = None
            continue
        contact = find_contact(inp, node.name, node.email)
        if contact is None or contact.relation == "target" or index > 0:
            # Only the first hop is someone the person knows; later ones are their contacts' contacts.
            grounded = node.model_copy(
                update={
                    "to_find": contact is None,
                    "strength": None,
                    "evidence": to_find_evidence(inp.language) if contact is None else None,
                    "person_id": None,
                }
            )
            chain.append(grounded)
            previous = None
            continue
        chain.append(
            node.model_copy(
                update={
                    "email": node.email or contact.email,
                    "person_id": contact.person_id,
                    "strength": contact.strength,
                    "evidence": contact.evidence,
                    "to_find": False,
                }
            )
        )
        previous = contact
    with_chain = path.model_copy(update={"chain": chain})
    direct = len(chain) == 1 and target is not None
    return with_chain.model_copy(update={"score": path_score(with_chain), "direct": direct})


def _ground_target(
    inp: PlanInput, node: ChainNode, previous: Contact | None, target: Contact | None, *, direct: bool
) -> ChainNode:
    update: dict = {"to_find": False, "person_id": None, "strength": None, "evidence": None}
    if target is not None:
        update["person_id"] = target.person_id
        update["email"] = node.email or target.email
        if direct:
            update["strength"], update["evidence"] = target.strength, target.evidence
    if not direct and previous is not None and previous.relation in ONWARD_PRIORS:
        update["strength"] = ONWARD_PRIORS[previous.relation]
        update["evidence"] = onward_evidence(previous.name, node.name, previous.relation, inp.language)
    return node.model_copy(update=update)


def path_score(path: Path) -> float | None:
    """The product of the path's tie strengths; None while any tie is unknown."""
    strengths = [node.strength for node in path.chain]
    if any(s is None for s in strengths):
        return None
    return round(math.prod(s for s in strengths if s is not None), 4)


def ground_paths(inp: PlanInput, paths: list[Path]) -> list[Path]:
    return [ground_path(inp, path) for path in paths]
