from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core import checks
from django.db.models.signals import post_save

from sixdegrees.billing import plans


class BillingConfig(AppConfig):
    name = "sixdegrees.billing"
    label = "billing"
    verbose_name = "Billing"

    def ready(self) -> None:
        # Imported here, not at the top: the receiver's ledger imports models, which need the app
        # registry ready.
        from sixdegrees.billing.signals import grant_free_credit

        post_save.connect(
            grant_free_credit, sender=settings.AUTH_USER_MODEL, dispatch_uid="sixdegrees.billing.free_credit"
        )
        checks.register(check_payments, checks.Tags.compatibility)


def check_payments(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Half-configured payments: people could pay and we would never hear about it (or the reverse)."""
    links = [plan.code for plan in plans.plans() if plan.payment_link_url]
    problems: list[checks.CheckMessage] = []
    if links and not settings.STRIPE_WEBHOOK_SECRET:
        problems.append(
            checks.Warning(
                "Stripe Payment Links are set but STRIPE_WEBHOOK_SECRET is not: purchases stay switched off.",
                hint="Add the webhook endpoint /api/webhook/stripe in Stripe and put its signing secret "
                "(whsec_…) in STRIPE_WEBHOOK_SECRET.",
                id="sixdegrees.billing.W001",
            )
        )
    for plan in plans.plans():
        if plan.payment_link_url and not plan.payment_link_url.startswith("https://"):
            problems.append(
                checks.Warning(
                    f"The {plan.name} Payment Link is not an https:// address: {plan.payment_link_url!r}.",
                    id="sixdegrees.billing.W002",
                )
            )
    return problems
