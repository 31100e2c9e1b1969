"""The tie-strength formula on fixed dates: the documented example, and every rule that gives no tie."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from sixdegrees.network import strength as formula
from sixdegrees.network.observed import Observed
from sixdegrees.network.strength import ADDRESS_BOOK_PRIOR, LINKEDIN_PRIOR, strength

NOW = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
LAST = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)


def message(direction, at, *, recipients=1, bulk=False, reason="", n=0, address="ana@example.org"):
    return Observed(direction, address, "Ana Lima", at, recipients, bulk, reason, f"<{direction}{n}@example.org>")


def weekly_thread(*, last=LAST, first_recipients=1) -> list[Observed]:
    """14 one-to-one emails, one a week, taking turns (you first), the last on `last`."""
    return [
        message(
            "out" if i % 2 == 0 else "in",
            last - dt.timedelta(days=7 * (13 - i)),
            recipients=first_recipients if i == 0 else 1,
            n=i,
        )
        for i in range(14)
    ]


def test_the_worked_example_in_the_docstring():
    tie = strength(weekly_thread(), NOW)
    assert tie.score == pytest.approx(0.86, abs=0.005)
    assert (tie.sent, tie.received, tie.two_way) == (7, 7, True)
    assert tie.last_at == LAST
    assert tie.evidence == "14 emails, both ways, last on 1 Nov 2026"
    assert strength(weekly_thread(first_recipients=3), NOW).score == pytest.approx(0.84, abs=0.005)


def test_a_thread_silent_far_past_its_rhythm_decays():
    tie = strength(weekly_thread(last=LAST - dt.timedelta(days=365)), NOW)
    assert tie.two_way
    assert tie.score == pytest.approx(0.007, abs=0.001)
    assert tie.evidence == "14 emails, both ways, last on 1 Nov 2025; quiet for 395 days"


def test_silence_within_eight_usual_gaps_only_ages():
    # 50 days after a weekly thread is under 8 × 7: only the half-life applies, no extra decay.
    thread = weekly_thread(last=NOW - dt.timedelta(days=50))
    aged = sum(formula._weight(item, NOW) for item in thread)
    assert strength(thread, NOW).score == pytest.approx(1 - math.exp(-aged / formula.SATURATION), abs=1e-3)
    assert "quiet" not in strength(thread, NOW).evidence


def test_more_and_newer_mail_is_a_stronger_tie():
    one_exchange = [message("out", NOW - dt.timedelta(days=2)), message("in", NOW - dt.timedelta(days=1))]
    old_exchange = [message("out", NOW - dt.timedelta(days=200)), message("in", NOW - dt.timedelta(days=199))]
    single, old, thread = strength(one_exchange, NOW), strength(old_exchange, NOW), strength(weekly_thread(), NOW)
    assert 0 < old.score < single.score < thread.score < 1
    assert single.score == pytest.approx(0.31, abs=0.01)


def test_writing_counts_more_than_being_written_to():
    mostly_out = [message("out", LAST, n=i) for i in range(3)] + [message("in", LAST)]
    mostly_in = [message("in", LAST, n=i) for i in range(3)] + [message("out", LAST)]
    assert strength(mostly_out, NOW).score > strength(mostly_in, NOW).score


def test_mail_to_many_counts_less():
    alone = [message("out", LAST), message("in", LAST)]
    crowd = [message("out", LAST, recipients=8), message("in", LAST, recipients=8)]
    assert strength(crowd, NOW).score < strength(alone, NOW).score


def test_mail_only_sent_is_no_tie():
    cold = [message("out", LAST, n=0), message("out", LAST + dt.timedelta(days=7), n=1)]
    tie = strength(cold, NOW)
    assert (tie.score, tie.sent, tie.received, tie.two_way) == (0.0, 2, 0, False)
    assert tie.evidence == "2 emails you sent, never answered, last on 8 Nov 2026"


def test_mail_only_received_is_no_tie():
    tie = strength([message("in", LAST)], NOW)
    assert (tie.score, tie.received, tie.two_way) == (0.0, 1, False)
    assert tie.evidence == "1 email received, never answered, last on 1 Nov 2026"


def test_bulk_mail_is_no_tie_even_both_ways():
    newsletter = [message("in", LAST, bulk=True, reason="List-Unsubscribe", n=i) for i in range(5)]
    newsletter.append(message("out", LAST, bulk=True, reason="no-reply address"))
    tie = strength(newsletter, NOW)
    assert (tie.score, tie.sent, tie.received, tie.two_way) == (0.0, 0, 0, False)
    assert tie.evidence == "6 bulk emails (mailing list, automated or mass mail), not counted"


def test_an_announcement_and_its_one_reply_is_no_tie():
    # You wrote to 30 people (bulk); one answered: one-way mail once the announcement is left out.
    tie = strength([message("out", LAST, recipients=30, bulk=True, reason="30 recipients"), message("in", LAST)], NOW)
    assert (tie.score, tie.sent, tie.received) == (0.0, 0, 1)


def test_the_same_message_seen_twice_counts_once():
    # A rescan after UIDVALIDITY changed hands the same messages over again.
    thread = weekly_thread()
    assert strength(thread + thread, NOW) == strength(thread, NOW)


def test_a_message_dated_after_now_counts_as_now():
    ahead = [message("out", NOW + dt.timedelta(days=3)), message("in", NOW)]
    assert strength(ahead, NOW).score == pytest.approx(strength([message("out", NOW), message("in", NOW)], NOW).score)


def test_no_mail_at_all():
    tie = strength([], NOW)
    assert (tie.score, tie.last_at, tie.evidence) == (0.0, None, "No emails")


def test_the_priors_sit_below_one_real_exchange():
    exchange = strength([message("out", LAST), message("in", LAST)], NOW)
    assert 0 < LINKEDIN_PRIOR < ADDRESS_BOOK_PRIOR < exchange.score
