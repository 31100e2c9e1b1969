"""Silence, with time moved by time_machine: one follow-up in the thread, then the next-best path."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from sixdegrees.outreach import tasks, watcher
from sixdegrees.outreach.approval import approve
from sixdegrees.outreach.chain.silence import check_silence
from sixdegrees.outreach.models import EmailOutreach
from sixdegrees.outreach.tests import mail_samples as mail
from sixdegrees.outreach.tests.chains import hop, planned_campaign
from sixdegrees.outreach.tests.servers import make_mailbox

pytestmark = pytest.mark.django_db(transaction=True)
START = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def mailbox(alice, smtp_server):
    return make_mailbox(alice, smtp_server)


def tick(times: int = 3) -> None:
    """What the worker does every few minutes: the silence check, then the outbox sweep."""
    for _ in range(times):
        check_silence()
        tasks.sweep_outbox()


def test_48_hours_of_silence_send_exactly_one_follow_up_in_the_thread(alice, mailbox, smtp_server):
    campaign = planned_campaign(alice, autopilot=True)
    first = hop(campaign, 1)
    with time_machine.travel(START, tick=True) as traveller:
        approve(first, alice)
        tick(1)
        first.refresh_from_db()
        assert first.status == "sent" and len(smtp_server.received) == 1

        traveller.move_to(START + dt.timedelta(hours=47, minutes=50))
        tick()
        assert len(smtp_server.received) == 1 and not EmailOutreach.objects.filter(kind="follow_up").exists()

        traveller.move_to(START + dt.timedelta(hours=48, minutes=10))
        tick()
        traveller.move_to(START + dt.timedelta(hours=60))
        tick()
        [follow_up] = EmailOutreach.objects.filter(kind="follow_up")
        assert follow_up.status == "sent" and follow_up.in_reply_to_id == first.id and follow_up.hop == 1
        assert len(smtp_server.received) == 2
        message = smtp_server.received[1].message
        assert smtp_server.received[1].rcpt_tos == ["bob@example.org"]
        assert message["In-Reply-To"] == first.message_id and message["References"] == first.message_id
        assert message["Subject"] == f"Re: {first.subject}"
        assert "follow up" in message.get_content()
        kinds = list(campaign.events.values_list("kind", flat=True))
        assert kinds.count("followup_queued") == 1

        # Another window of silence: the next-best path is offered, once.
        traveller.move_to(START + dt.timedelta(days=7, hours=12))
        tick()
        campaign.refresh_from_db()
        assert campaign.selected_path == 1
        assert list(campaign.events.values_list("kind", flat=True)).count("next_path_offered") == 1
        offered = EmailOutreach.objects.filter(campaign=campaign, status="draft", hop=1).get()
        assert offered.recipient_name != "Bob Smith"
        traveller.move_to(START + dt.timedelta(days=20))
        tick()
    assert len(smtp_server.received) == 2  # the new path waits for approval: nothing else went out
    assert EmailOutreach.objects.filter(kind="follow_up").count() == 1
    assert list(campaign.events.values_list("kind", flat=True)).count("next_path_offered") == 1


def test_without_auto_pilot_the_follow_up_waits_for_approval(alice, mailbox, smtp_server, mailoutbox):
    campaign = planned_campaign(alice)
    first = hop(campaign, 1)
    with time_machine.travel(START, tick=True) as traveller:
        approve(first, alice)
        tick(1)
        traveller.move_to(START + dt.timedelta(hours=49))
        tick()
        [follow_up] = EmailOutreach.objects.filter(kind="follow_up")
        assert follow_up.status == "draft" and len(smtp_server.received) == 1
        assert any("needs you" in m.subject and "follow-up" in m.body for m in mailoutbox)
        approve(follow_up, alice)  # a follow-up is not a new hop: the double opt-in does not hold it
        tick(1)
    first.refresh_from_db()
    assert len(smtp_server.received) == 2
    assert smtp_server.received[1].message["In-Reply-To"] == first.message_id


def test_a_reply_before_48_hours_means_no_follow_up(alice, mailbox, smtp_server):
    campaign = planned_campaign(alice, autopilot=True)
    first = hop(campaign, 1)
    with time_machine.travel(START, tick=True) as traveller:
        approve(first, alice)
        tick(1)
        first.refresh_from_db()
        traveller.move_to(START + dt.timedelta(hours=5))
        raw = mail.reply(
            in_reply_to=first.message_id, from_name="Bob Smith", from_address="bob@example.org", text="Not now, sorry."
        )
        assert watcher.apply_message(mailbox, raw) == "reply"
        traveller.move_to(START + dt.timedelta(days=10))
        tick()
    assert not EmailOutreach.objects.filter(kind="follow_up").exists()
    assert len(smtp_server.received) == 1


def test_an_out_of_office_moves_the_follow_up_to_after_the_return_date(alice, mailbox, smtp_server):
    campaign = planned_campaign(alice, autopilot=True)
    first = hop(campaign, 1)
    with time_machine.travel(START, tick=True) as traveller:
        approve(first, alice)
        tick(1)
        first.refresh_from_db()
        raw = mail.out_of_office(
            in_reply_to=first.message_id,
            from_name="Bob Smith",
            from_address="bob@example.org",
            subject="自动回复：Could you help me reach Jane Doe?",
            text="您好，我正在休假，12月10日回来后回复您。",
            headers={},
        )
        assert watcher.apply_message(mailbox, raw) == "auto_reply"
        first.refresh_from_db()
        assert first.status == "sent" and first.follow_up_after == dt.datetime(2026, 12, 11, tzinfo=dt.UTC)

        traveller.move_to(START + dt.timedelta(hours=72))
        tick()
        assert not EmailOutreach.objects.filter(kind="follow_up").exists()
        traveller.move_to(dt.datetime(2026, 12, 11, 0, 10, tzinfo=dt.UTC))
        tick()
    assert EmailOutreach.objects.filter(kind="follow_up", status="sent").count() == 1
    assert "auto_reply_until" in list(campaign.events.values_list("kind", flat=True))
