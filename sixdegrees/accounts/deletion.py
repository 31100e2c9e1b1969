"""Deleting an account: the person's data goes, the credit ledger stays (anonymised)."""

from __future__ import annotations

import logging

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import ForeignObjectRel
from django.utils import timezone

from sixdegrees.accounts.models import User

logger = logging.getLogger(__name__)

# Records the ledger must keep when an account is deleted (they stay, pointing at the anonymised user).
KEEP_ON_DELETE = {"billing", "admin"}


def _relations_to_user() -> list[ForeignObjectRel]:
    """Every table pointing at the user, hidden ones included.

    `_meta.related_objects` leaves out relations named "+" (the network's emails, sources and
    mailbox observations, the outbox's owner): the user row stays, anonymised, so nothing would
    cascade to them and they would outlive the account.
    """
    return [
        field
        for field in User._meta.get_fields(include_hidden=True)
        if isinstance(field, ForeignObjectRel) and not field.many_to_many
    ]


def delete_account(user: User) -> None:
    """Remove the person's data; keep the credit ledger, pointing at an anonymised user row.

    Every row that refers to the user goes (campaigns with their emails, steps and timeline, sign-in
    codes, mailboxes, anything another app adds), except the records billing must keep.
    """
    with transaction.atomic():
        for relation in _relations_to_user():
            model = relation.related_model
            if model._meta.app_label in KEEP_ON_DELETE:
                continue
            model._base_manager.filter(**{relation.field.name: user.pk}).delete()
        user.groups.clear()
        user.user_permissions.clear()
        User.objects.filter(pk=user.pk).update(
            email=f"deleted-{user.pk}@invalid",
            name="",
            is_active=False,
            email_verified=False,
            reminder_emails=False,
            share_network=False,
            is_staff=False,
            is_superuser=False,
            password=make_password(None),
            updated_at=timezone.now(),
        )
    logger.info("account deleted", extra={"event": "account_deleted", "user_id": user.pk})
