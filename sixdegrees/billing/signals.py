"""A new person gets the free plan's credit, in the same transaction that creates them."""

from __future__ import annotations

from typing import Any

from sixdegrees.billing.ledger import grant_signup_credit


def grant_free_credit(sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any) -> None:
    # `raw`: loaddata restores rows (and their ledger) as they were; nothing to add.
    if not created or raw:
        return
    row = grant_signup_credit(instance)
    if row is not None:
        # The grant moved the balance in the database; the caller's object must not save the old one back.
        instance.credits_balance += row.amount
