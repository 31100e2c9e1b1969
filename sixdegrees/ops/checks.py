"""Configuration problems, judged from settings alone (no network), with `sixdegrees.W…` ids.

`check_configuration` is a Django system check (`sixdegrees manage check`, and every `migrate`):
half-configured features that silently do less than the operator meant. `check_deployment` holds
the operational warnings for a production machine (no SMTP, no encryption key, backups on the
database's disk); `sixdegrees doctor` shows them in production. They are deliberately not
registered with Django: `manage check --deploy` stays a security check that a minimal, correct
production configuration passes with no issues (test_settings_env.py pins that).
"""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core import checks


def check_configuration(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    problems: list[checks.CheckMessage] = []
    if bool(settings.GMAIL_ADDRESS) != bool(settings.GMAIL_APP_PASSWORD):
        missing = "GMAIL_APP_PASSWORD" if settings.GMAIL_ADDRESS else "GMAIL_ADDRESS"
        problems.append(
            checks.Warning(
                f"{missing} is not set while its partner is: emails go to the local outbox, not out.",
                hint="Set both GMAIL_ADDRESS and GMAIL_APP_PASSWORD (a Google app password), or neither.",
                id="sixdegrees.W002",
            )
        )
    if settings.STRATEGY_PLANNER == "anthropic" and not settings.ANTHROPIC_API_KEY:
        problems.append(
            checks.Warning(
                "STRATEGY_PLANNER is anthropic but ANTHROPIC_API_KEY is not set: every plan comes from the "
                "offline planner.",
                hint="Set ANTHROPIC_API_KEY, or STRATEGY_PLANNER=offline to say that is intended.",
                id="sixdegrees.W003",
            )
        )
    return problems


def check_deployment(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    problems: list[checks.CheckMessage] = []
    if not (settings.GMAIL_ADDRESS and settings.GMAIL_APP_PASSWORD):
        problems.append(
            checks.Warning(
                "No SMTP configuration: emails go to the local outbox.",
                hint=f"Set GMAIL_ADDRESS and GMAIL_APP_PASSWORD; until then messages are files in {settings.OUTBOX_DIR}.",
                id="sixdegrees.W001",
            )
        )
    if not settings.ENCRYPTION_KEYS:
        problems.append(
            checks.Warning(
                "SIXDEGREES_ENCRYPTION_KEYS is not set: people cannot connect their own mailboxes.",
                hint="Make a key with `sixdegrees mailbox new-key` and put it in SIXDEGREES_ENCRYPTION_KEYS.",
                id="sixdegrees.W004",
            )
        )
    if same_disk(settings.BACKUP_DIR, settings.DATA_DIR) and not settings.DATABASE_URL:
        problems.append(
            checks.Warning(
                "Backups are on the same disk as the database: one disk failure loses both.",
                hint="Point SIXDEGREES_BACKUP_DIR at another disk (or copy the backups off the machine).",
                id="sixdegrees.W005",
            )
        )
    if not settings.BACKUP_HOURLY:
        problems.append(
            checks.Warning(
                "Hourly backups are off (SIXDEGREES_BACKUP_HOURLY=false): the 1 h recovery point is not kept.",
                hint="Turn SIXDEGREES_BACKUP_HOURLY back on, or take backups another way at least hourly.",
                id="sixdegrees.W006",
            )
        )
    return problems


def same_disk(a: os.PathLike[str] | str, b: os.PathLike[str] | str) -> bool:
    try:
        return os.stat(a).st_dev == os.stat(b).st_dev
    except OSError:
        return False
