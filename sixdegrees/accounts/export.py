"""An account's export: everything SixDegrees keeps about a person, as one JSON document."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from sixdegrees.accounts.models import User
from sixdegrees.billing.models import CreditTransaction
from sixdegrees.campaigns.models import Campaign
from sixdegrees.campaigns.serialize import campaign_detail, iso
from sixdegrees.network.export import network_export
from sixdegrees.outreach.models import Mailbox


def ledger(user: User, limit: int = 100) -> list[dict[str, Any]]:
    rows = CreditTransaction.objects.filter(user=user).order_by("-created_at", "-id")[:limit]
    return [
        {
            "id": row.id,
            "amount": row.amount,
            "kind": row.transaction_type,
            "plan": row.plan or "",
            "reason": row.reason,
            "campaign_id": row.campaign_id,
            "created_at": row.created_at,
        }
        for row in rows
    ]


def export_data(user: User) -> dict[str, Any]:
    """Everything SixDegrees keeps about this person, as one JSON document."""
    campaigns = Campaign.objects.filter(owner=user).select_related("owner").order_by("created_at")
    return {
        "exported_at": iso(timezone.now()),
        "account": {
            "user_id": user.pk,
            "email": user.email,
            "name": user.name,
            "language": user.language,
            "plan": user.plan,
            "credits_balance": user.credits_balance,
            "reminder_emails": user.reminder_emails,
            "share_network": user.share_network,
            "created_at": iso(user.created_at),
        },
        "campaigns": [campaign_detail(c) for c in campaigns],
        "ledger": [
            {
                "transaction_id": row["id"],
                "amount": row["amount"],
                "type": row["kind"],
                "plan": row["plan"] or None,
                "reason": row["reason"],
                "campaign_id": row["campaign_id"],
                "created_at": iso(row["created_at"]),
            }
            for row in ledger(user, limit=100000)
        ],
        "mailboxes": [
            {
                "address": m.address,
                "smtp_host": m.smtp_host,
                "smtp_port": m.smtp_port,
                "imap_host": m.imap_host,
                "imap_port": m.imap_port,
                "created_at": iso(m.created_at),
            }
            for m in Mailbox.objects.filter(owner=user)
        ],
        "network": network_export(user),
    }
