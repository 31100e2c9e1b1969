"""`sixdegrees db stats`: rows per table, size, growth over 7 and 30 days."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import CliRunner
from django.utils import timezone

from sixdegrees.campaigns.models import Campaign
from sixdegrees.cli import cli
from sixdegrees.cli import db as _db_commands  # noqa: F401  (registers the commands)
from sixdegrees.ops.dbmaint import database_stats
from sixdegrees.outreach.models import EmailOutreach

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(alice):
    now = timezone.now()
    for days in (3, 20, 60):
        campaign = Campaign.objects.create(
            owner=alice, email=alice.email, target_name=f"T{days}", created_at=now - dt.timedelta(days=days)
        )
        for hop in range(2):
            EmailOutreach.objects.create(campaign=campaign, hop=hop, created_at=now - dt.timedelta(days=days))
    return now


def by_table(stats):
    return {row["table"]: row for row in stats["tables"]}


def test_rows_and_growth_per_table(history):
    stats = database_stats(now=history)
    tables = by_table(stats)

    assert tables["campaigns"]["rows"] == 3
    assert (tables["campaigns"]["added_7d"], tables["campaigns"]["added_30d"]) == (1, 2)
    assert (tables["email_outreach"]["rows"], tables["email_outreach"]["added_7d"]) == (6, 2)
    assert tables["email_outreach"]["added_30d"] == 4
    assert tables["users"]["added_7d"] == 1
    assert tables["django_migrations"]["added_7d"] is None  # no created_at column
    assert stats["total_rows"] == sum(row["rows"] for row in stats["tables"])
    assert stats["added_30d"] >= 2 + 4 + 1
    assert stats["size_bytes"] > 0


def test_the_command_prints_a_table_and_json(history):
    text = CliRunner().invoke(cli, ["db", "stats"])
    as_json = CliRunner().invoke(cli, ["db", "stats", "--json"])

    assert text.exit_code == 0, text.output
    line = next(line for line in text.stdout.splitlines() if line.strip().startswith("campaigns "))
    assert line.split()[1:2] == ["3"] and "+1" in line and "+2" in line
    assert as_json.exit_code == 0
    assert by_table(json.loads(as_json.stdout))["campaigns"]["rows"] == 3
