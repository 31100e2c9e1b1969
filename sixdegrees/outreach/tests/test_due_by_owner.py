"""Each email carries its campaign's owner, so the sender reads one person's due emails from one
index range (`sender.due_rows`) however many other people's are due; the cost is in
docs/benchmarks.md ("Sending"), the rules are here."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext
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


def test_the_owners_with_something_due_are_found_in_one_statement_however_many_are_waiting(
    alice, bob, django_user_model
):
    carol = django_user_model.objects.create_user("carol@example.com", name="Carol", email_verified=True)
    dave = django_user_model.objects.create_user("dave@example.com", name="Dave", email_verified=True)
    now = timezone.now()
    earlier, later = now - dt.timedelta(hours=1), now + dt.timedelta(hours=1)
    rows = [(alice, "queued", earlier)] * 3 + [(bob, "queued", later)] * 3  # Bob's wait on a clock
    rows += [(carol, "queued", later), (carol, "queued", earlier), (dave, "sent", earlier), (dave, "draft", earlier)]
    campaigns = {owner.pk: make_campaign(owner) for owner in (alice, bob, carol, dave)}
    EmailOutreach.objects.bulk_create(
        EmailOutreach(
            campaign=campaigns[owner.pk], recipient_email=f"p{n}@example.org", status=status, next_attempt_at=at
        )
        for n, (owner, status, at) in enumerate(rows)
    )

    with CaptureQueriesContext(connection) as captured:
        owners = sender.owners_with_due_rows(now)
    assert owners == {alice.pk, carol.pk}
    assert len(captured.captured_queries) == 1

    routes = sender.routes_with_due_rows(now)
    assert [route for route, _first in routes] == [None]  # nobody has a mailbox: the local outbox, once
    first = EmailOutreach.objects.get(pk=routes[0][1])
    assert first.status == "queued" and first.next_attempt_at <= now and first.owner_id in {alice.pk, carol.pk}
    assert sender.owners_with_due_rows(earlier - dt.timedelta(minutes=1)) == set()
