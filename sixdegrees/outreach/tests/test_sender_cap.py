"""The daily cap: what does not fit today waits for tomorrow (UTC), and nothing is lost."""

from __future__ import annotations

import datetime as dt
import time

import pytest
import time_machine
from django.utils import timezone

from sixdegrees.outreach import runner
from sixdegrees.outreach.models import EmailOutreach
from sixdegrees.outreach.tests.servers import make_campaign, make_mailbox

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_thousand_emails_on_a_cap_of_400_go_out_over_three_days(smtp_server, alice):
    make_mailbox(alice, smtp_server, daily_cap=400)
    campaign = make_campaign(alice)
    day_one = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)
    EmailOutreach.objects.bulk_create(
        EmailOutreach(
            campaign=campaign,
            hop=1,
            recipient_email=f"person{i}@example.org",
            subject=f"Hello {i}",
            body="你好",
            status="queued",
            queued_at=day_one,
            next_attempt_at=day_one,
        )
        for i in range(1000)
    )

    def counts() -> dict[str, int]:
        rows = EmailOutreach.objects.values_list("status", flat=True)
        return {status: list(rows).count(status) for status in ("queued", "sending", "sent", "failed")}

    with time_machine.travel(day_one, tick=True) as traveller:
        started = time.perf_counter()
        result = runner.drain()
        elapsed = time.perf_counter() - started
        assert result.sent == 400 and "cap" in result.stopped
        assert counts() == {"queued": 600, "sending": 0, "sent": 400, "failed": 0}
        waiting = EmailOutreach.objects.filter(status="queued")
        assert set(waiting.values_list("next_attempt_at", flat=True)) == {dt.datetime(2026, 12, 2, tzinfo=dt.UTC)}
        print(f"\n400 messages through aiosmtpd (STARTTLS, AUTH) in {elapsed:.2f} s: {400 / elapsed:.0f} msg/s")

        traveller.move_to(day_one + dt.timedelta(hours=10))  # later the same day: still nothing
        assert runner.drain().sent == 0

        traveller.move_to(dt.datetime(2026, 12, 2, 0, 0, 30, tzinfo=dt.UTC))
        assert runner.drain().sent == 400
        traveller.move_to(dt.datetime(2026, 12, 3, 0, 0, 30, tzinfo=dt.UTC))
        assert runner.drain().sent == 200
        assert timezone.now().date() == dt.date(2026, 12, 3)

    assert counts() == {"queued": 0, "sending": 0, "sent": 1000, "failed": 0}
    delivered = smtp_server.handler.message_ids()
    assert len(delivered) == 1000 and len(set(delivered)) == 1000
    assert set(delivered) == set(EmailOutreach.objects.values_list("message_id", flat=True))
    per_day = {}
    for sent_at in EmailOutreach.objects.values_list("sent_at", flat=True):
        per_day[sent_at.date()] = per_day.get(sent_at.date(), 0) + 1
    assert per_day == {dt.date(2026, 12, 1): 400, dt.date(2026, 12, 2): 400, dt.date(2026, 12, 3): 200}
