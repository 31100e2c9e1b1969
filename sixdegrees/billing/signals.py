"""A new person gets the free plan's credit, in the same transaction that creates them."""

from __future__ import annotations

from typing import Any

from sixdegrees.billing.ledger import grant_signup_credit


def grant_free_credit(sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any) -> None:
    # `raw`: loaddata restores rows (and their ledger) as they were; nothing to add.
    if created and not raw:
        grant_signup_credit(instance)
