"""`sixdegrees db archive`: exactly the old campaigns go, with their rows, into a file written first."""

from __future__ import annotations

import datetime as dt
import gzip
import json

import pytest
from click.testing import CliRunner
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from sixdegrees.billing.models import CreditTransaction
from sixdegrees.campaigns.models import Campaign, CampaignStep, TimelineEvent
from sixdegrees.cli import cli
from sixdegrees.cli import db as _db_commands  # registers the commands, and offers STATUSES
from sixdegrees.ops import dbmaint
from sixdegrees.outreach.models import EmailOutreach

CHILDREN = {"email_outreach": EmailOutreach, "campaign_steps": CampaignStep, "campaign_events": TimelineEvent}


def make_campaign(owner, status, days_old, name):
    campaign = Campaign.objects.create(owner=owner, email=owner.email, target_name=name, status=status)
    first = EmailOutreach.objects.create(campaign=campaign, hop=1, subject=f"{name} 1", status="sent")
    EmailOutreach.objects.create(campaign=campaign, hop=2, subject=f"{name} 2", in_reply_to=first)
    CampaignStep.objects.create(campaign=campaign, step_type="find_paths", status="completed")
    TimelineEvent.objects.create(campaign=campaign, kind="created")
    TimelineEvent.objects.create(campaign=campaign, kind="email_sent", data={"hop": 1})
    CreditTransaction.objects.create(user=owner, amount=-1, transaction_type="usage", campaign=campaign)
    # updated_at is auto_now: age it behind the model's back, as time would.
    Campaign.objects.filter(pk=campaign.pk).update(updated_at=timezone.now() - dt.timedelta(days=days_old))
    return campaign.pk


@pytest.fixture
def campaigns(alice, bob, settings, tmp_path):
    settings.ARCHIVE_DIR = tmp_path / "archives"
    return {
        "old_completed": make_campaign(alice, "completed", 120, "A"),
        "old_failed": make_campaign(alice, "failed", 91, "B"),
        "old_connected": make_campaign(bob, "connected", 400, "C"),
        "old_in_progress": make_campaign(alice, "in_progress", 200, "D"),
        "recent_completed": make_campaign(alice, "completed", 89, "E"),
        "old_completed_bob": make_campaign(bob, "completed", 95, "F"),
    }


def rows_of(pks):
    found = {"campaigns": set(Campaign.objects.filter(pk__in=pks).values_list("pk", flat=True))}
    for table, model in CHILDREN.items():
        found[table] = set(model.objects.filter(campaign_id__in=pks).values_list("pk", flat=True))
    return found


def archived_objects(path):
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return json.load(handle)


def pks_by_model(objects):
    found: dict[str, set] = {}
    for obj in objects:
        found.setdefault(obj["model"], set()).add(obj["pk"])
    return found


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        pytest.param(None, ["old_completed", "old_failed", "old_connected", "old_completed_bob"], id="finished"),
        pytest.param(["completed"], ["old_completed", "old_completed_bob"], id="completed"),
        pytest.param(["in_progress", "failed"], ["old_in_progress", "old_failed"], id="in_progress+failed"),
    ],
)
def test_archive_removes_exactly_the_right_rows_and_the_file_holds_them(campaigns, statuses, expected):
    gone = [campaigns[k] for k in expected]
    kept = [pk for name, pk in campaigns.items() if name not in expected]
    doomed, survivors = rows_of(gone), rows_of(kept)
    ledger_rows = CreditTransaction.objects.count()
    unlinked = CreditTransaction.objects.filter(campaign_id__isnull=True).count()  # e.g. sign-up grants

    report = dbmaint.archive_campaigns(90, statuses)

    assert rows_of(gone) == {table: set() for table in doomed}
    assert rows_of(kept) == survivors
    assert report["deleted"] == {table: len(pks) for table, pks in doomed.items()}
    assert report["deleted"]["email_outreach"] == 2 * len(gone)
    archived = pks_by_model(archived_objects(report["file"]))
    assert archived["campaigns.campaign"] == doomed["campaigns"]
    assert archived["outreach.emailoutreach"] == doomed["email_outreach"]
    assert archived["campaigns.campaignstep"] == doomed["campaign_steps"]
    assert archived["campaigns.timelineevent"] == doomed["campaign_events"]
    # The ledger stays whole: its rows are kept, only their link to the archived campaign is cleared.
    assert report["kept_unlinked"] == {"credit_transactions": len(gone)}
    assert CreditTransaction.objects.count() == ledger_rows
    assert CreditTransaction.objects.filter(campaign_id__isnull=True).count() == unlinked + len(gone)
    assert len(archived["billing.credittransaction"]) == len(gone)
    log = [json.loads(line) for line in (dbmaint.archive_dir() / "archives.jsonl").read_text().splitlines()]
    assert log[-1]["file"] == report["file"] and log[-1]["deleted"] == report["deleted"]


@pytest.mark.django_db
def test_a_dry_run_writes_and_deletes_nothing(campaigns):
    before = rows_of(list(campaigns.values()))

    report = dbmaint.archive_campaigns(90, dry_run=True)

    assert report["deleted"]["campaigns"] == 4 and report["deleted"]["email_outreach"] == 8
    assert report["file"] is None
    assert rows_of(list(campaigns.values())) == before
    assert not dbmaint.archive_dir().exists() or list(dbmaint.archive_dir().iterdir()) == []


@pytest.mark.django_db
def test_the_archive_loads_back(campaigns):
    before = rows_of(list(campaigns.values()))
    ledger = dict(CreditTransaction.objects.values_list("pk", "campaign_id"))

    report = dbmaint.archive_campaigns(90)
    call_command("loaddata", report["file"], verbosity=0)

    assert rows_of(list(campaigns.values())) == before
    assert dict(CreditTransaction.objects.values_list("pk", "campaign_id")) == ledger
    email = EmailOutreach.objects.get(campaign_id=campaigns["old_completed"], hop=2)
    assert email.in_reply_to.subject == "A 1"


@pytest.mark.django_db
def test_nothing_is_deleted_when_the_archive_cannot_be_written(campaigns, monkeypatch):
    before = rows_of(list(campaigns.values()))

    def disk_full(self):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(dbmaint.ArchiveWriter, "finish", disk_full)

    with pytest.raises(OSError, match="No space left"):
        dbmaint.archive_campaigns(90)

    assert rows_of(list(campaigns.values())) == before
    assert list(dbmaint.archive_dir().iterdir()) == [], "no archive, not even a partial one"


@pytest.mark.django_db(transaction=True)
def test_the_archive_is_on_disk_before_the_delete_commits(campaigns, monkeypatch):
    seen = {}
    real_commit = connection.commit

    def commit():
        files = list(dbmaint.archive_dir().glob("*.json.gz"))
        seen["files"] = [f.name for f in files]
        seen["partials"] = list(dbmaint.archive_dir().glob("*.partial"))
        seen["archived"] = pks_by_model(archived_objects(files[0])) if files else {}
        seen["still_there"] = Campaign.objects.filter(pk=campaigns["old_completed"]).exists()
        real_commit()

    monkeypatch.setattr(connection, "commit", commit)
    dbmaint.archive_campaigns(90, ["completed"])

    assert len(seen["files"]) == 1 and seen["partials"] == []
    assert seen["archived"]["campaigns.campaign"] == {campaigns["old_completed"], campaigns["old_completed_bob"]}
    assert seen["still_there"] is False  # deleted inside the transaction, committed after the file was complete


@pytest.mark.django_db
def test_the_command_reports_counts(campaigns):
    dry = CliRunner().invoke(cli, ["db", "archive", "--older-than-days", "90", "--status", "completed", "--dry-run"])
    done = CliRunner().invoke(cli, ["db", "archive", "--older-than-days", "90", "--json"])

    assert dry.exit_code == 0, dry.output
    assert "campaigns" in dry.stdout and "2 would be deleted" in dry.stdout
    assert "Dry run: nothing was written or deleted." in dry.stdout
    report = json.loads(done.stdout)
    assert report["deleted"]["campaigns"] == 4
    assert report["file"].endswith(".json.gz")


def test_the_command_offers_every_campaign_status():
    assert set(_db_commands.STATUSES) == set(Campaign.Status.values)


@pytest.mark.django_db
def test_an_unwritable_archive_folder_is_a_clear_error(campaigns, settings, tmp_path):
    (tmp_path / "not-a-folder").write_text("")
    settings.ARCHIVE_DIR = tmp_path / "not-a-folder" / "archives"

    result = CliRunner().invoke(cli, ["db", "archive", "--older-than-days", "90"])

    assert result.exit_code == 1
    assert "the archive could not be written" in result.stderr and "nothing was deleted" in result.stderr
    assert Campaign.objects.count() == len(campaigns)
