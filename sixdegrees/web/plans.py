"""Plan cards for the landing page and the Credits tab.

Billing owns the plans (`sixdegrees.billing.plans`) and the Credits tab's data
(`sixdegrees.billing.overview.overview`); this module only shapes them into cards.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from sixdegrees.billing import plans as billing
from sixdegrees.billing.overview import overview


@dataclass
class PlanCard:
    code: str
    name: str
    price: str = ""
    features: list[str] = field(default_factory=list)
    link: str = ""  # where the card's button goes ("" = no button)
    link_label: str = ""
    external: bool = False
    featured: bool = False
    current: bool = False


def _price(code: str, price: str, label: str) -> str:
    """ "$19 / month"; the free plan shows its price ("$0"), not the word "Free" twice."""
    return (price or "") if code == "free" else label


def _house_rules() -> list[str]:
    return [_("You approve every email before it goes"), _("Reply in 48 hours or your credit back")]


def landing_cards() -> tuple[list[PlanCard], str]:
    """(cards, note): the note explains when plans cannot be bought here yet."""
    enabled = billing.payments_enabled()
    upgrade = getattr(settings, "BILLING_UPGRADE_URL", reverse("web:dashboard") + "?tab=credits")
    cards = []
    for plan in billing.plans():
        free = plan.code == billing.FREE
        if free:
            link, label = reverse("web:intake"), _("Start free")
        elif enabled:
            link, label = upgrade, _("Choose %(plan)s") % {"plan": plan.display_name}
        else:
            link, label = "", ""
        cards.append(
            PlanCard(
                code=plan.code,
                name=plan.display_name,
                price=_price(plan.code, plan.price, plan.price_label()),
                features=[plan.describe(), *_house_rules()],
                link=link,
                link_label=label,
                featured=plan.code == billing.STARTER,
            )
        )
    return cards, "" if enabled else billing.payments_off_note()


def credits_context(user: Any) -> dict[str, Any]:
    """Balance, plan, plan cards with payment links and history, from billing's overview."""
    data = overview(user)
    cards = [
        PlanCard(
            code=card["code"],
            name=card["name"],
            price=_price(card["code"], card["price"], card["price_label"]),
            features=[card["description"], *_house_rules()],
            link=card["payment_link"] or "",
            link_label=_("Choose %(plan)s") % {"plan": card["name"]},
            external=bool(card["payment_link"]),
            featured=card["code"] == "starter",
            current=card["current"],
        )
        for card in data["plans"]
    ]
    history = []
    for entry in data["history"]:
        entry = dict(entry)
        try:
            entry["when"] = dt.datetime.fromisoformat(entry["date"].replace("Z", "+00:00"))
        except (TypeError, ValueError):
            entry["when"] = None
        history.append(entry)
    until = data["plan"].get("unlimited_until")
    return {
        "configured": True,
        "balance": data["credits_balance"],
        "plan": data["plan"]["name"],
        "plan_description": data["plan"]["description"],
        "unlimited_until": dt.datetime.fromisoformat(until) if until else None,
        "cards": cards,
        "note": data.get("note") or "",
        "guarantee": data.get("guarantee") or "",
        "history": history,
    }
