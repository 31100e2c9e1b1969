"""The plans (settings.BILLING_PLANS) and their Stripe Payment Links."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

FREE = "free"
STARTER = "starter"
PRO = "pro"

# Plan names as people read them; the codes stay in the data.
_NAMES = {FREE: gettext_lazy("Free"), STARTER: gettext_lazy("Starter"), PRO: gettext_lazy("Pro")}


@dataclass(frozen=True)
class Plan:
    code: str
    name: str  # English, from settings; `display_name` is the translated one
    price: str  # "$19": shown, never used to compute anything
    campaigns_per_month: int | None  # None = unlimited
    api: bool
    payment_link_url: str
    stripe_price: str

    @property
    def display_name(self) -> str:
        return str(_NAMES.get(self.code, self.name))

    @property
    def unlimited(self) -> bool:
        return self.campaigns_per_month is None

    @property
    def credits_per_period(self) -> int:
        """Credits one paid month adds (0 for an unlimited plan, which needs none)."""
        return self.campaigns_per_month or 0

    def price_label(self) -> str:
        if self.code == FREE:
            return _("Free")
        return _("%(price)s / month") % {"price": self.price}

    def describe(self) -> str:
        if self.unlimited:
            return _("Unlimited campaigns and API access") if self.api else _("Unlimited campaigns")
        if self.campaigns_per_month == 1:
            return _("1 campaign per month")
        return _("%(n)s campaigns per month") % {"n": self.campaigns_per_month}


def _load(entry: dict[str, Any]) -> Plan:
    return Plan(
        code=entry["code"],
        name=entry.get("name", entry["code"].title()),
        price=entry.get("price", ""),
        campaigns_per_month=entry.get("campaigns_per_month"),
        api=bool(entry.get("api", False)),
        payment_link_url=entry.get("payment_link", "") or "",
        stripe_price=entry.get("stripe_price", "") or "",
    )


def plans() -> list[Plan]:
    """Every plan, cheapest first, as configured (read each call so tests can override settings)."""
    configured = cast(list[dict[str, Any]], settings.BILLING_PLANS)
    return [_load(entry) for entry in configured]


def get_plan(code: str | None) -> Plan | None:
    return next((plan for plan in plans() if plan.code == code), None)


def free_plan() -> Plan:
    plan = get_plan(FREE)
    assert plan is not None, "settings.BILLING_PLANS must contain the free plan"
    return plan


def plan_for_price(price_id: str | None) -> Plan | None:
    if not price_id:
        return None
    return next((plan for plan in plans() if plan.stripe_price and plan.stripe_price == price_id), None)


def payments_enabled() -> bool:
    """Purchases need a way in (a Payment Link) and a way to hear about them (the webhook)."""
    return bool(settings.STRIPE_WEBHOOK_SECRET) and any(plan.payment_link_url for plan in plans())


def payments_off_note() -> str:
    return _(
        "Payments are not switched on for this SixDegrees yet, so plans cannot be bought here. "
        "Your free credit still works."
    )


def payment_link(plan: Plan, user: Any) -> str | None:
    """The plan's Payment Link for `user`, or None when payments are off or the plan is free.

    `client_reference_id` tells the webhook whose purchase it was; the email is prefilled so
    Stripe's receipt and our fallback match by address go to the same person.
    """
    if not plan.payment_link_url or not payments_enabled():
        return None
    parts = urlsplit(plan.payment_link_url)
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k not in ("client_reference_id", "prefilled_email")
    ]
    query += [("client_reference_id", str(user.pk)), ("prefilled_email", user.email)]
    return urlunsplit(parts._replace(query=urlencode(query)))
