"""The mailbox scan against a real Dovecot holding a realistic mailbox: who ranks, who is no tie,
and that the scan changes nothing in the mailbox and reads each message once."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict

import pytest

from sixdegrees.network.mailscan import MAX_RECIPIENTS, FolderCursor, Observed, observe, scan
from sixdegrees.network.strength import strength
from sixdegrees.outreach.imap import ImapError, ImapSettings
from sixdegrees.outreach.tests.servers import DOVECOT_USER

OWNER = DOVECOT_USER
# Dovecot refuses APPEND dates after its own clock: every message is dated in the past, and the
# formula gets a fixed `now` just after the newest of them.
NOW = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)
START = dt.datetime(2026, 9, 1, 9, 0, tzinfo=dt.UTC)
SEEN, FLAGGED, ANSWERED = rb"\Seen", rb"\Flagged", rb"\Answered"


def raw(*lines: str) -> bytes:
    return ("\r\n".join(lines) + "\r\n\r\nHello.\r\n").encode()


def date(at: dt.datetime) -> str:
    return at.strftime("%a, %d %b %Y %H:%M:%S +0000")


def settings(dovecot) -> ImapSettings:
    return ImapSettings(dovecot.host, dovecot.port, "none", dovecot.user, dovecot.password, timeout=10)


def fill(mailbox) -> dict[str, dt.datetime]:
    """A colleague's long thread, a newsletter, a no-reply sender, a cold email, an announcement."""
    stamps: dict[str, dt.datetime] = {}
    previous = ""
    for i in range(12):  # Maria and the owner, weekly, taking turns
        at = START + dt.timedelta(days=7 * i)
        mine = i % 2 == 0
        headers = [
            f"From: {'Alice Chen <' + OWNER + '>' if mine else 'Maria Souza <maria@acme.example>'}",
            f"To: {'Maria Souza <Maria@Acme.example>' if mine else OWNER}",
            f"Date: {date(at)}",
            f"Message-ID: <thread{i}@acme.example>",
            "Subject: Re: Q4 roadmap",
        ]
        if previous:
            headers += [f"In-Reply-To: {previous}", f"References: {previous}"]
        previous = f"<thread{i}@acme.example>"
        mailbox.append("Sent" if mine else "INBOX", raw(*headers), at, (SEEN,) if mine or i < 8 else ())
        stamps["maria"] = at
    for i in range(4):  # a newsletter, and the owner once asked it something
        at = START + dt.timedelta(days=10 * i, hours=3)
        mailbox.append(
            "INBOX",
            raw(
                "From: The Weekly <digest@news.example>",
                f"To: {OWNER}",
                f"Date: {date(at)}",
                f"Message-ID: <weekly{i}@news.example>",
                "List-Id: The Weekly <weekly.news.example>",
                "List-Unsubscribe: <https://news.example/u/123>, <mailto:leave@news.example>",
                "Precedence: bulk",
                "Subject: This week",
            ),
            at,
        )
    mailbox.append(
        "Sent",
        raw(f"From: {OWNER}", "To: digest@news.example", f"Date: {date(START)}", "Subject: A question"),
        START,
        (SEEN,),
    )
    for i in range(3):  # receipts from a no-reply sender (no list headers at all)
        at = START + dt.timedelta(days=20 * i, hours=5)
        mailbox.append(
            "INBOX",
            raw(
                "From: Acme Billing <no-reply@billing.example>",
                f"To: {OWNER}",
                f"Date: {date(at)}",
                "Subject: Your receipt",
            ),
            at,
            (FLAGGED,),
        )
    mailbox.append(  # people do answer receipts; that makes no one at the other end
        "Sent",
        raw(f"From: {OWNER}", "To: no-reply@billing.example", f"Date: {date(START + dt.timedelta(days=1))}"),
        START + dt.timedelta(days=1),
        (SEEN,),
    )
    for i in range(2):  # a cold email and its follow-up, never answered
        at = START + dt.timedelta(days=30 + 7 * i)
        mailbox.append(
            "Sent",
            raw(
                f"From: {OWNER}",
                "To: Jane Doe <jane@vc.example>",
                f"Date: {date(at)}",
                f"Message-ID: <cold{i}@example.test>",
            ),
            at,
            (SEEN,),
        )
    team = ", ".join(f"Person {n} <p{n}@team.example>" for n in range(30))
    announced = START + dt.timedelta(days=40)
    mailbox.append(
        "Sent",
        raw(f"From: {OWNER}", f"To: {team}", f"Date: {date(announced)}", "Message-ID: <launch@example.test>"),
        announced,
        (SEEN,),
    )
    mailbox.append(  # one of the thirty answered the announcement
        "INBOX",
        raw(
            "From: Person 7 <p7@team.example>",
            f"To: {OWNER}",
            f"Date: {date(announced + dt.timedelta(hours=2))}",
            "In-Reply-To: <launch@example.test>",
        ),
        announced + dt.timedelta(hours=2),
        (SEEN, ANSWERED),
    )
    return stamps


def ties(observations: list[Observed]):
    by_address: dict[str, list[Observed]] = defaultdict(list)
    for item in observations:
        by_address[item.address].append(item)
    found = {address: strength(items, NOW) for address, items in by_address.items()}
    return sorted(found.items(), key=lambda pair: -pair[1].score)


def test_the_colleague_ranks_first_and_nobody_else_is_a_tie(mailbox, dovecot):
    # The newsletter, the no-reply sender and one of the thirty each had mail both ways: only the
    # bulk rules keep them from being ties.
    stamps = fill(mailbox)
    before = mailbox.flags()
    assert any(SEEN not in flags for flags in before.values())  # some mail is unread, and must stay so

    result = scan(settings(dovecot), {OWNER.upper()}, {})

    assert result.error == ""
    assert result.fetched == len(before) == 25
    ranked = ties(result.observations)
    (first, tie), *others = ranked
    assert first == "maria@acme.example"
    assert tie.score > 0.5
    assert (tie.sent, tie.received, tie.two_way, tie.last_at) == (6, 6, True, stamps["maria"])
    assert tie.evidence == "12 emails, both ways, last on 17 Nov 2026"
    assert {address for address, _ in others} == {
        "digest@news.example",
        "no-reply@billing.example",
        "jane@vc.example",
        *(f"p{n}@team.example" for n in range(30)),
    }
    assert all(other.score == 0 for _address, other in others)
    # Nothing changed in the mailbox: not \Seen, not \Flagged, not \Answered, nothing moved.
    assert mailbox.flags() == before


def test_each_message_gives_one_observation_per_counterpart(mailbox, dovecot):
    fill(mailbox)
    observations = scan(settings(dovecot), {OWNER}, {}).observations
    launch = [item for item in observations if item.message_id == "<launch@example.test>"]
    assert len(launch) == 30
    assert {(item.direction, item.recipients, item.bulk, item.reason) for item in launch} == {
        ("out", 30, True, f"30 recipients (more than {MAX_RECIPIENTS})")
    }
    maria = [item for item in observations if item.address == "maria@acme.example"]
    assert {(item.name, item.recipients, item.bulk) for item in maria} == {("Maria Souza", 1, False)}
    assert {item.direction for item in maria} == {"in", "out"}
    received = {
        (item.address, item.reason)
        for item in observations
        if item.address in ("digest@news.example", "no-reply@billing.example") and item.direction == "in"
    }
    assert received == {("digest@news.example", "List-Id"), ("no-reply@billing.example", "no-reply address")}


def test_a_second_scan_reads_nothing_and_a_new_message_only(mailbox, dovecot):
    fill(mailbox)
    first = scan(settings(dovecot), {OWNER}, {})
    assert set(first.cursors) == {"INBOX", "Sent"}

    again = scan(settings(dovecot), {OWNER}, first.cursors)
    assert (again.observations, again.fetched, again.notes) == ([], 0, [])
    assert again.cursors == first.cursors

    at = NOW - dt.timedelta(days=1)
    mailbox.append("INBOX", raw("From: Maria <maria@acme.example>", f"To: {OWNER}", f"Date: {date(at)}"), at)
    later = scan(settings(dovecot), {OWNER}, again.cursors)
    assert later.fetched == 1
    assert [(item.address, item.direction, item.at) for item in later.observations] == [
        ("maria@acme.example", "in", at)
    ]
    assert later.cursors["INBOX"].last_uid == again.cursors["INBOX"].last_uid + 1


def test_a_renumbered_folder_is_read_again_and_says_so(mailbox, dovecot):
    fill(mailbox)
    first = scan(settings(dovecot), {OWNER}, {})
    stale = {**first.cursors, "INBOX": FolderCursor("INBOX", first.cursors["INBOX"].uidvalidity + 1, 10_000)}

    again = scan(settings(dovecot), {OWNER}, stale)

    assert again.notes == ["The server renumbered INBOX, so it was read again from the start."]
    assert again.fetched == sum(1 for flags in mailbox.flags() if flags[0] == "INBOX")
    assert again.cursors == first.cursors


def test_batches_report_progress(mailbox, dovecot):
    fill(mailbox)
    calls: list[tuple[int, int]] = []
    result = scan(settings(dovecot), {OWNER}, {}, batch=5, progress=lambda done, total: calls.append((done, total)))
    assert calls[0] == (0, 25)
    assert calls[-1] == (25, 25)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)
    assert len(calls) == 1 + 3 + 3  # Sent: 5+5+1 (11 messages), INBOX: 5+5+4 (14)
    assert result.fetched == 25


def test_malformed_headers_are_tolerated(mailbox, dovecot):
    arrived = dt.datetime(2026, 10, 5, 8, 30, tzinfo=dt.UTC)
    mailbox.append("INBOX", raw("From: Carol <carol@example.org>", f"To: {OWNER}", "Subject: no date"), arrived)
    mailbox.append("INBOX", raw("From: <<<>>>", f"To: {OWNER}", f"Date: {date(arrived)}"), arrived)
    mailbox.append(
        "INBOX",
        b"From: =?x-unknown?B?Zm9v?= \xe9\xe8 <dan@example.org>\r\nTo: undisclosed-recipients:;\r\n"
        b"Date: not a date at all\r\n\r\nbody\r\n",
        arrived,
    )
    mailbox.append(
        "Sent", raw(f"From: {OWNER}", "To: ,,, @, nobody, erin@example.org", "Date: Mon, 99 Foo 2026"), arrived
    )

    result = scan(settings(dovecot), {OWNER}, {})

    assert result.error == ""
    assert (result.fetched, result.skipped) == (4, 1)
    seen = sorted((item.address, item.direction, item.at) for item in result.observations)
    assert seen == [
        ("carol@example.org", "in", arrived),
        ("dan@example.org", "in", arrived),
        ("erin@example.org", "out", arrived),
    ]
    dan = next(item for item in result.observations if item.address == "dan@example.org")
    dan.name.encode("utf-8")  # undecodable bytes were replaced: the name is storable text


def test_a_dropped_connection_keeps_what_was_read_and_the_next_scan_goes_on(mailbox, dovecot, proxy):
    fill(mailbox)
    whole = scan(settings(dovecot), {OWNER}, {})

    def cut_after_first_batch(done: int, _total: int) -> None:
        if done == 5:
            proxy.cut()

    through_proxy = ImapSettings("127.0.0.1", proxy.port, "none", dovecot.user, dovecot.password, timeout=10)
    broken = scan(through_proxy, {OWNER}, {}, batch=5, progress=cut_after_first_batch)

    assert broken.error.startswith(f"reading 127.0.0.1:{proxy.port} stopped: ")
    assert broken.fetched == 5
    sent_uids = sorted(uid for folder, uid in mailbox.flags() if folder == "Sent")
    assert broken.cursors["Sent"].last_uid == sent_uids[4]  # UIDs go on rising after a test empties Sent
    resumed = scan(settings(dovecot), {OWNER}, broken.cursors)
    assert resumed.error == ""
    assert broken.fetched + resumed.fetched == whole.fetched
    assert sorted(broken.observations + resumed.observations, key=repr) == sorted(whole.observations, key=repr)


def test_a_server_that_is_not_there_is_an_error_in_words():
    closed = ImapSettings("127.0.0.1", 1, "none", OWNER, "x", timeout=2)
    with pytest.raises(ImapError, match=re.escape("could not connect to 127.0.0.1:1: connection refused")):
        scan(closed, {OWNER}, {})


# --- One message's headers, without a server --------------------------------------------------------

WHEN = dt.datetime(2026, 10, 1, 12, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        ("List-Id: <team.lists.example>", "List-Id"),
        ("List-Unsubscribe: <mailto:u@lists.example>", "List-Unsubscribe"),
        ("Precedence: bulk", "Precedence: bulk"),
        ("Precedence: list", "Precedence: list"),
        ("Precedence: junk", "Precedence: junk"),
        ("Auto-Submitted: auto-replied", "Auto-Submitted: auto-replied"),
        ("Auto-Submitted: auto-generated; owner-email=x@example.org", "Auto-Submitted: auto-generated"),
    ],
)
def test_bulk_headers_mark_the_message(header, reason):
    message = raw("From: Bob <bob@example.org>", f"To: {OWNER}", f"Date: {date(WHEN)}", header)
    (found,) = observe(message, "in", {OWNER})
    assert (found.bulk, found.reason) == (True, reason)


def test_auto_submitted_no_is_a_person_writing():
    message = raw("From: Bob <bob@example.org>", f"To: {OWNER}", f"Date: {date(WHEN)}", "Auto-Submitted: no")
    (found,) = observe(message, "in", {OWNER})
    assert (found.bulk, found.reason) == (False, "")


@pytest.mark.parametrize(
    ("address", "no_reply"),
    [
        ("noreply@github.com", True),
        ("no-reply@accounts.example", True),
        ("do_not_reply@bank.example", True),
        ("calendar-noreply@google.com", True),
        ("MAILER-DAEMON@mx.example", True),
        ("notifications@github.com", True),
        ("bounces+123@mail.example", True),
        ("info@smallshop.example", False),
        ("hello@startup.example", False),
        ("nora.reilly@example.org", False),
    ],
)
def test_no_reply_senders(address, no_reply):
    message = raw(f"From: {address}", f"To: {OWNER}", f"Date: {date(WHEN)}")
    (found,) = observe(message, "in", {OWNER})
    assert found.bulk is no_reply
    assert found.reason == ("no-reply address" if no_reply else "")


def test_the_recipient_cutoff():
    def to(n: int) -> bytes:
        people = ", ".join(f"p{i}@example.org" for i in range(n))
        return raw(f"From: {OWNER}", f"To: {people}", f"Cc: {OWNER}", f"Date: {date(WHEN)}")

    small = observe(to(MAX_RECIPIENTS - 1), "out", {OWNER})  # with the owner's Cc: exactly the cutoff
    assert len(small) == MAX_RECIPIENTS - 1
    assert {(item.recipients, item.bulk) for item in small} == {(MAX_RECIPIENTS - 1, False)}
    big = observe(to(MAX_RECIPIENTS), "out", {OWNER})
    assert {item.bulk for item in big} == {True}


def test_a_date_far_after_arrival_is_not_believed():
    arrived = WHEN
    forged = raw("From: spam@example.org", f"To: {OWNER}", "Date: Fri, 01 Jan 2038 00:00:00 +0000")
    (found,) = observe(forged, "in", {OWNER}, arrived)
    assert found.at == arrived
