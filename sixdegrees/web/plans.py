"""The plans shown on the landing page and the Credits tab.

Billing owns the catalogue when it offers one (`sixdegrees.billing.plans.plans()`); until then the
pages show the settings-level list `SIXDEGREES_PLANS` (default below), with purchases switched off.
Names and feature lines are worded here, in the reader's language, from each plan's id and numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

DEFAULT_PLANS: list[dict[str, Any]] = [
    {"id": "free", "campaigns_per_month": 1, "api": False},
    {"id": "starter", "campaigns_per_month": 10, "api": False},
    {"id": "pro", "campaigns_per_month": None, "api": True},
]


@dataclass
class PlanCard:
    id: str
    name: str
    price: str = ""
    features: list[str] = field(default_factory=list)
    payment_link: str = ""
    featured: bool = False
    current: bool = False


def _names() -> dict[str, str]:
    return {"free": _("Free"), "starter": _("Starter"), "pro": _("Pro")}


def _get(plan: Any, *names: str, default: Any = None) -> Any:
    for name in names:
        value = plan.get(name) if isinstance(plan, dict) else getattr(plan, name, None)
        if value is not None:
            return value
    return default


def _source() -> tuple[list[Any], bool]:
    """(plans, from_billing)."""
    try:
        from sixdegrees.billing.plans import plans as billing_plans  # type: ignore[import-not-found]
    except ImportError:
        return list(getattr(settings, "SIXDEGREES_PLANS", DEFAULT_PLANS)), False
    return list(billing_plans()), True


def plan_cards(current: str = "") -> tuple[list[PlanCard], bool]:
    """The plan cards in the active language, and whether purchases are possible."""
    raw, from_billing = _source()
    names = _names()
    cards = []
    for plan in raw:
        plan_id = str(_get(plan, "id", "key", "code", "slug", default=""))
        per_month = _get(plan, "campaigns_per_month", "campaigns", "monthly_campaigns")
        unlimited = per_month is None or (isinstance(per_month, int) and per_month < 0)
        features = []
        if unlimited:
            features.append(_("Unlimited campaigns"))
        else:
            features.append(
                ngettext("%(count)d campaign a month", "%(count)d campaigns a month", int(per_month))
                % {"count": int(per_month)}
            )
        features.append(_("You approve every email before it goes"))
        features.append(_("Reply in 48 hours or your credit back"))
        if _get(plan, "api", "api_access", default=False):
            features.append(_("API access"))
        link = str(_get(plan, "payment_link", "payment_url", "checkout_url", default="") or "")
        if not link.startswith("https://"):
            link = ""
        cards.append(
            PlanCard(
                id=plan_id,
                name=names.get(plan_id) or str(_get(plan, "name", default=plan_id)),
                price=str(_get(plan, "price_label", "price_display", default="") or ""),
                features=features,
                payment_link=link if from_billing else "",
                featured=plan_id == "starter",
                current=bool(current) and plan_id == current,
            )
        )
    purchases = from_billing and any(card.payment_link for card in cards)
    return cards, purchases
