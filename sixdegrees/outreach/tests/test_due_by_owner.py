"""Each email carries its campaign's owner, so the sender reads one person's due emails from one
index range (`sender.due_rows`) however many other people's are due; the cost is in
docs/benchmarks.md ("Sending"), the rules are here."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from sixdegrees.campaigns.models import Campaign
from sixdegrees.outreach import runner, sender
from sixdegrees.outreach.models import EmailOutreach
from sixdegrees.outreach.tests.servers import make_campaign, queue_email

pytestmark = pytest.mark.django_db(transaction=True)


def test_every_way_of_making_an_email_records_its_campaigns_owner(alice, bob):
    alices, bobs = make_campaign(alice), make_campaign(bob)
    made = queue_email(alices)
    by_id = EmailOutreach(campaign_id=bobs.pk, recipient_email="a@example.org", status="draft")
    by_object = EmailOutreach(campaign=alices, recipient_email="b@example.org", status="draft")
    EmailOutreach.objects.bulk_create([by_id, by_object])

    owners = dict(EmailOutreach.objects.values_list("recipient_email", "owner_id"))
    assert owners == {made.recipient_email: alice.pk, "a@example.org": bob.pk, "b@example.org": alice.pk}


def test_an_email_whose_campaign_is_gone_has_no_owner_and_is_never_sent(alice):
    campaign = make_campaign(alice)
    orphan = EmailOutreach(campaign_id="gone", recipient_email="o@example.org", status="queued")
    EmailOutreach.objects.bulk_create([orphan])
    queue_email(campaign)

    result = runner.drain()

    orphan.refresh_from_db()
    assert orphan.owner_id is None and orphan.status == "queued"
    assert result.sent == 1


def test_one_persons_due_emails_are_found_among_many_others_due(alice, bob, tmp_path, settings):
    settings.OUTBOX_DIR = str(tmp_path)
    theirs = make_campaign(bob)
    earlier = timezone.now() - dt.timedelta(hours=1)
    EmailOutreach.objects.bulk_create(
        EmailOutreach(campaign=theirs, recipient_email=f"b{i}@example.org", status="queued", next_attempt_at=earlier)
        for i in range(30)
    )
    mine = queue_email(make_campaign(alice))

    class Route:  # a mailbox of Alice's (only its owner matters to the query)
        owner_id = alice.pk

    due = list(sender.due_rows(Route(), timezone.now()).values_list("id", flat=True))  # type: ignore[arg-type]
    assert due == [mine.id]


def test_the_migration_gives_existing_emails_their_campaigns_owner(alice):
    campaign = make_campaign(alice)
    email = queue_email(campaign)
    EmailOutreach.objects.filter(pk=email.pk).update(owner=None)  # as rows were before 0006
    executor = MigrationExecutor(connection)
    before = [("outreach", "0005_add_status_updated_index")]
    after = [("outreach", "0006_add_owner_for_due_rows")]
    try:
        executor.migrate(before)
        executor.loader.build_graph()
        executor.migrate(after)

        email.refresh_from_db()
        assert email.owner_id == alice.pk == Campaign.objects.get(pk=campaign.pk).owner_id
    finally:  # the later migrations back, for the tests that follow
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
