"""`sixdegrees db prune-orphans`: emails and steps whose campaign is gone, and nothing else."""

from __future__ import annotations

import gzip
import json

import pytest
from click.testing import CliRunner

from sixdegrees.campaigns.models import Campaign, CampaignStep
from sixdegrees.cli import cli
from sixdegrees.cli import db as _db_commands  # noqa: F401  (registers the commands)
from sixdegrees.ops import dbmaint
from sixdegrees.outreach.models import EmailOutreach

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows(alice, settings, tmp_path):
    settings.ARCHIVE_DIR = tmp_path / "archives"
    alive = Campaign.objects.create(owner=alice, email=alice.email, target_name="Alive")
    # The earlier deployment left these behind: their campaigns were deleted without them.
    orphan_first = EmailOutreach.objects.create(campaign_id="camp_gone_1", hop=1, subject="orphan 1")
    orphan_reply = EmailOutreach.objects.create(campaign_id="camp_gone_1", hop=2, in_reply_to=orphan_first)
    orphan_other = EmailOutreach.objects.create(campaign_id="camp_gone_2", hop=1)
    live_emails = [
        EmailOutreach.objects.create(campaign=alive, hop=1),
        # A live email that follows up an orphan: it stays, its link is cleared (and kept in the archive).
        EmailOutreach.objects.create(campaign=alive, hop=2, in_reply_to=orphan_other),
    ]
    orphan_steps = [
        CampaignStep.objects.create(campaign_id="camp_gone_3", step_type="research_target") for _ in range(2)
    ]
    live_step = CampaignStep.objects.create(campaign=alive, step_type="find_paths")
    return {
        "orphan_emails": {orphan_first.pk, orphan_reply.pk, orphan_other.pk},
        "orphan_steps": {s.pk for s in orphan_steps},
        "live_emails": {e.pk for e in live_emails},
        "live_steps": {live_step.pk},
        "follow_up": live_emails[1].pk,
    }


def pks(model):
    return set(model.objects.values_list("pk", flat=True))


def test_dry_run_counts_and_changes_nothing(rows):
    report = dbmaint.prune_orphans(dry_run=True)

    assert report["deleted"] == {"email_outreach": 3, "campaign_steps": 2}
    assert report["file"] is None
    assert pks(EmailOutreach) == rows["orphan_emails"] | rows["live_emails"]
    assert pks(CampaignStep) == rows["orphan_steps"] | rows["live_steps"]


def test_prune_removes_exactly_the_orphans_and_archives_them(rows):
    report = dbmaint.prune_orphans()

    assert pks(EmailOutreach) == rows["live_emails"]
    assert pks(CampaignStep) == rows["live_steps"]
    assert report["deleted"] == {"email_outreach": 3, "campaign_steps": 2}
    assert report["kept_unlinked"] == {"email_outreach": 1}
    assert EmailOutreach.objects.get(pk=rows["follow_up"]).in_reply_to_id is None
    with gzip.open(report["file"], "rt") as handle:
        archived = json.load(handle)
    emails = {o["pk"] for o in archived if o["model"] == "outreach.emailoutreach"}
    steps = {o["pk"] for o in archived if o["model"] == "campaigns.campaignstep"}
    assert emails == rows["orphan_emails"] | {rows["follow_up"]}  # the follow-up as it was, link included
    assert steps == rows["orphan_steps"]


def test_nothing_to_prune(alice, settings, tmp_path):
    settings.ARCHIVE_DIR = tmp_path / "archives"

    result = CliRunner().invoke(cli, ["db", "prune-orphans"])

    assert result.exit_code == 0
    assert "Nothing to do." in result.stdout
    assert not (tmp_path / "archives").exists()


def test_the_command_reports_counts(rows):
    dry = CliRunner().invoke(cli, ["db", "prune-orphans", "--dry-run"])
    done = CliRunner().invoke(cli, ["db", "prune-orphans", "--json"])

    assert dry.exit_code == 0, dry.output
    assert "3 would be deleted" in dry.stdout and "2 would be deleted" in dry.stdout
    report = json.loads(done.stdout)
    assert report["deleted"] == {"email_outreach": 3, "campaign_steps": 2}
    assert pks(EmailOutreach) == rows["live_emails"]
