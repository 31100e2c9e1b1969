"""Re-apply each listed mutation (a rule broken on purpose) and check that its test fails.

Each mutation replaces one exact piece of source with a broken version, runs the test that is
meant to catch it, and puts the file back, always: on success, on failure, on Ctrl-C or SIGTERM.
A run killed with SIGKILL leaves the original in .mutations-backup/, and the next run restores it
before doing anything else. docs/testing.md ("## Mutations") lists the same mutations.

Not part of `make test`: each mutation runs its own pytest, so the whole list takes minutes.

    .venv/bin/python scripts/mutations.py                  # every mutation, its catching test(s)
    .venv/bin/python scripts/mutations.py ledger-read-then-write watcher-read-write
    .venv/bin/python scripts/mutations.py --discover       # run each against its area's test files
    .venv/bin/python scripts/mutations.py --table          # the markdown table for docs/testing.md
    .venv/bin/python scripts/mutations.py --check          # every anchor still in its file, exactly once
    .venv/bin/python scripts/mutations.py --on-postgres    # the same, every test on PostgreSQL

A mutation caught on PostgreSQL only runs there: pass --postgres URL (default
postgres://postgres@127.0.0.1:5432/mutations; pytest-django creates test_mutations). Exits 1 when
a mutation survives or cannot be applied.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BACKUP = ROOT / ".mutations-backup"
PYTEST = [str(ROOT / ".venv" / "bin" / "python"), "-m", "pytest"]
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/mutations"

OUTREACH = "sixdegrees/outreach/tests"
SENDER_AREA = [
    f"{OUTREACH}/test_sender_rules.py",
    f"{OUTREACH}/test_sender_crash.py",
    f"{OUTREACH}/test_smtp_delivery.py",
    f"{OUTREACH}/test_sender_cap.py",
    f"{OUTREACH}/test_rules_sender.py",
    f"{OUTREACH}/test_send_api.py",
    f"{OUTREACH}/test_outbox.py",
]
WATCHER_AREA = [
    f"{OUTREACH}/test_watcher.py",
    f"{OUTREACH}/test_watcher_cli.py",
    f"{OUTREACH}/test_rules_watcher.py",
    f"{OUTREACH}/test_end_to_end.py",
]
CHAIN_AREA = [
    f"{OUTREACH}/test_chain.py",
    f"{OUTREACH}/test_followup.py",
    f"{OUTREACH}/test_end_to_end.py",
    f"{OUTREACH}/test_rules_approval.py",
    f"{OUTREACH}/test_rules_chain.py",
]
APPROVAL_AREA = [
    f"{OUTREACH}/test_send_api.py",
    f"{OUTREACH}/test_chain.py",
    f"{OUTREACH}/test_rules_approval.py",
    "sixdegrees/billing/tests/test_charging.py",
    "sixdegrees/campaigns/tests/test_campaign_api.py",
]
ACCESS_AREA = [
    "sixdegrees/campaigns/tests/test_campaign_api.py",
    "sixdegrees/web/tests/test_dashboard.py",
    f"{OUTREACH}/test_send_api.py",
    "sixdegrees/accounts/tests/test_rules_access.py",
]
LEDGER_AREA = [
    "sixdegrees/billing/tests/test_ledger.py",
    "sixdegrees/billing/tests/test_charging.py",
    "sixdegrees/billing/tests/test_concurrency.py",
    "sixdegrees/billing/tests/test_billing_command.py",
    "sixdegrees/billing/tests/test_rules_ledger.py",
    "sixdegrees/billing/tests/test_webhook.py",
]


@dataclass(frozen=True)
class Mutation:
    id: str
    what: str  # the rule it breaks, in words
    file: str
    old: str
    new: str
    catchers: list[str]  # pytest node ids that fail with the mutation in
    area: list[str] = field(default_factory=list)  # test files --discover runs
    db: str = "both"  # where the catchers catch it: "both" or "postgresql"
    why_not: str = ""  # for a mutation no test catches: why (equivalent, race only, …)

    @property
    def path(self) -> Path:
        return ROOT / self.file

    def line(self) -> int:
        text = self.path.read_text()
        index = text.find(self.old)
        return text.count("\n", 0, index) + 1 if index >= 0 else 0


MUTATIONS: list[Mutation] = []


def mutation(**kwargs) -> None:
    MUTATIONS.append(Mutation(**kwargs))


# --- The rules issue 10 found unguarded ----------------------------------------------------------

mutation(
    id="watcher-read-write",
    what="the watcher opens the folder read-write (SELECT, not EXAMINE)",
    file="sixdegrees/outreach/watcher.py",
    old="self.client.select_folder(self.folder, readonly=True)",
    new="self.client.select_folder(self.folder, readonly=False)",
    catchers=[f"{OUTREACH}/test_rules_watcher.py::test_the_watcher_leaves_new_mail_new_and_unread_mail_unread"],
    area=WATCHER_AREA,
)
mutation(
    id="watcher-any-mailbox",
    what="find_email drops its mailbox= filter (a message in Alice's mailbox matches Bob's email)",
    file="sixdegrees/outreach/watcher.py",
    old='select_related("campaign", "campaign__owner").filter(mailbox=mailbox)',
    new='select_related("campaign", "campaign__owner")',
    catchers=[
        f"{OUTREACH}/test_rules_watcher.py::test_a_bounce_in_alices_mailbox_never_marks_bobs_email",
        f"{OUTREACH}/test_rules_watcher.py::test_a_reply_in_alices_mailbox_never_answers_bobs_email",
    ],
    area=WATCHER_AREA,
)
mutation(
    id="gate-any-reply",
    what="the hop gate opens on any reply, not only a yes",
    file="sixdegrees/outreach/chain.py",
    old="if previous.status == Status.REPLIED and previous.reply_intent in POSITIVE:",
    new="if previous.status == Status.REPLIED:",
    catchers=[f"{OUTREACH}/test_rules_approval.py::test_hop_two_waits_after_a_reply_that_is_not_a_yes"],
    area=CHAIN_AREA,
)
mutation(
    id="approve-unverified",
    what="approval no longer checks email_verified",
    file="sixdegrees/accounts/access.py",  # is_signed_in_owner, which approve() asks
    old='        and getattr(user, "email_verified", False)\n        and campaign.owner_confirmed\n',
    new="        and campaign.owner_confirmed\n",
    catchers=[
        f"{OUTREACH}/test_rules_approval.py::test_a_signed_in_owner_whose_address_is_not_confirmed_cannot_send",
        f"{OUTREACH}/test_rules_approval.py::test_approve_refuses_the_owner_until_the_address_is_confirmed",
    ],
    area=APPROVAL_AREA,
)
mutation(
    id="ledger-read-then-write",
    what="the charge reads the balance, then writes balance - 1",
    file="sixdegrees/billing/ledger.py",
    old="""                spent = User.objects.filter(pk=user_id, credits_balance__gte=1).update(
                    credits_balance=F("credits_balance") - 1
                )""",
    new="""                balance = User.objects.get(pk=user_id).credits_balance
                spent = User.objects.filter(pk=user_id).update(credits_balance=balance - 1) if balance >= 1 else 0""",
    catchers=["sixdegrees/billing/tests/test_rules_ledger.py::test_the_credit_is_spent_by_one_conditional_update"],
    area=LEDGER_AREA,
)
mutation(
    id="ledger-read-then-write-race",
    what="the same read-then-write charge, caught by the race itself",
    file="sixdegrees/billing/ledger.py",
    old="""                spent = User.objects.filter(pk=user_id, credits_balance__gte=1).update(
                    credits_balance=F("credits_balance") - 1
                )""",
    new="""                balance = User.objects.get(pk=user_id).credits_balance
                spent = User.objects.filter(pk=user_id).update(credits_balance=balance - 1) if balance >= 1 else 0""",
    catchers=["sixdegrees/billing/tests/test_concurrency.py::test_parallel_charges_never_overspend"],
    area=LEDGER_AREA,
    db="postgresql",
)
mutation(
    id="ledger-stale-balance",
    what="the charge writes a balance read with the campaign's owner, before the transaction",
    file="sixdegrees/billing/ledger.py",
    old="""                spent = User.objects.filter(pk=user_id, credits_balance__gte=1).update(
                    credits_balance=F("credits_balance") - 1
                )""",
    new="""                balance = campaign.owner.credits_balance
                spent = User.objects.filter(pk=user_id).update(credits_balance=balance - 1) if balance >= 1 else 0""",
    catchers=[
        "sixdegrees/billing/tests/test_rules_ledger.py::"
        "test_charges_with_people_read_before_the_last_charge_spend_each_credit_once"
    ],
    area=LEDGER_AREA,
)
mutation(
    id="csp-missing",
    what="the Content-Security-Policy middleware is gone",
    file="sixdegrees/settings.py",
    old='    "sixdegrees.web.middleware.ContentSecurityPolicyMiddleware",\n',
    new="",
    catchers=["sixdegrees/ops/tests/test_hardening.py::test_api_responses_carry_the_content_security_policy"],
    area=["sixdegrees/ops/tests/test_hardening.py"],
)

mutation(
    id="campaign-list-empty",
    what="the campaign list answers without its campaigns",
    file="sixdegrees/campaigns/api.py",
    old='"campaigns": [campaign_summary(c) for c in current.object_list],',
    new='"campaigns": [],',
    catchers=["sixdegrees/campaigns/tests/test_campaign_api.py::test_list_queries_do_not_grow_with_campaigns"],
    area=["sixdegrees/campaigns/tests/test_campaign_api.py"],
)
mutation(
    id="dashboard-without-campaign",
    what="the dashboard renders the page without the campaign asked for",
    file="sixdegrees/web/views.py",
    old="context = board.page_context(request, campaign)\n",
    new="context = board.page_context(request, None)\n",
    catchers=["sixdegrees/web/tests/test_dashboard.py::test_the_dashboard_needs_few_queries"],
    area=["sixdegrees/web/tests/test_dashboard.py"],
)

# --- Our own: sender --------------------------------------------------------------------------------

SENDER = "sixdegrees/outreach/sender.py"
OUTBOX = "sixdegrees/outreach/outbox.py"
mutation(
    id="claim-any-status",
    what="the claim takes a row whatever its status (a second worker sends it again)",
    file=OUTBOX,
    old='AND status = %s AND next_attempt_at <= %s RETURNING id"\n        )\n'
    "        cursor.execute(sql, [*page_params, Status.SENDING, until, moment, Status.QUEUED, moment])",
    new='AND next_attempt_at <= %s RETURNING id"\n        )\n'
    "        cursor.execute(sql, [*page_params, Status.SENDING, until, moment, moment])",
    catchers=[f"{OUTREACH}/test_sender_rules.py::test_a_claimed_row_is_not_sent_by_a_second_worker"],
    area=SENDER_AREA,
)
mutation(
    id="claim-ignores-count",
    what="the claim goes ahead when its UPDATE changed no row",
    file=OUTBOX,
    old="    if not claim_page(EmailOutreach.objects.filter(id=row.id), now, 1):\n        return False\n",
    new="    if not claim_page(EmailOutreach.objects.filter(id=row.id), now, 1) and False:\n        return False\n",
    catchers=[f"{OUTREACH}/test_sender_rules.py::test_a_claimed_row_is_not_sent_by_a_second_worker"],
    area=SENDER_AREA,
)
mutation(
    id="claim-page-unbounded",
    what="a page claim takes every due row, not the page asked for (rows wait out their lease unsent)",
    file=OUTBOX,
    old='page_sql, page_params = page.values("id")[:limit].query.sql_with_params()',
    new='page_sql, page_params = page.values("id").query.sql_with_params()',
    catchers=[f"{OUTREACH}/test_outbox.py::test_a_page_is_claimed_in_one_statement_and_never_more_than_asked"],
    area=SENDER_AREA,
)
mutation(
    id="claim-new-message-id",
    what="a retry's claim stores a new Message-ID (the Sent-folder check can no longer find the first try)",
    file=OUTBOX,
    old="for row in rows if not row.message_id}",
    new="for row in rows}",
    catchers=[f"{OUTREACH}/test_sender_crash.py::test_accepted_then_crashed_is_found_in_sent_and_not_sent_again"],
    area=SENDER_AREA,
)
mutation(
    id="lease-expired-at-once",
    what="a claimed row's lease ends the moment it starts (the sweeper takes it back mid-send)",
    file=OUTBOX,
    old="until = connection.ops.adapt_datetimefield_value(now + lease_delta())",
    new="until = connection.ops.adapt_datetimefield_value(now)",
    catchers=[f"{OUTREACH}/test_rules_sender.py::test_the_sweep_leaves_a_row_alone_while_its_worker_holds_the_lease"],
    area=SENDER_AREA,
)
mutation(
    id="reclaim-without-sent-check",
    what="a row taken back from a dead worker is sent again without looking in the Sent folder",
    file=OUTBOX,
    old="        next_attempt_at=now,\n        needs_sent_check=True,",
    new="        next_attempt_at=now,\n        needs_sent_check=False,",
    catchers=[f"{OUTREACH}/test_sender_crash.py::test_accepted_then_crashed_is_found_in_sent_and_not_sent_again"],
    area=SENDER_AREA,
)
mutation(
    id="mark-sent-only-sending",
    what="mark sent ignores a row that was taken back while its SMTP conversation finished",
    file=OUTBOX,
    old="filter(id=row.id, status__in=[Status.SENDING, Status.QUEUED]).update(\n            status=Status.SENT,",
    new="filter(id=row.id, status__in=[Status.SENDING]).update(\n            status=Status.SENT,",
    catchers=[
        f"{OUTREACH}/test_rules_sender.py::test_a_row_taken_back_mid_send_is_recorded_as_sent_once_the_server_accepts_it"
    ],
    area=SENDER_AREA,
)
mutation(
    id="mark-sent-no-time",
    what="mark sent leaves sent_at empty (no follow-up clock, no daily cap count)",
    file=OUTBOX,
    old="            status=Status.SENT,\n            sent_at=now,",
    new="            status=Status.SENT,\n            sent_at=None,",
    catchers=[f"{OUTREACH}/test_smtp_delivery.py::test_the_server_receives_exactly_the_approved_message"],
    area=SENDER_AREA,
)
mutation(
    id="mark-sent-event-apart",
    what='"sent" and its timeline event are written in separate transactions (a crash between them loses one)',
    file=OUTBOX,
    old="    with transaction.atomic():\n        # `queued` too",
    new="    if True:\n        # `queued` too",
    catchers=[f"{OUTREACH}/test_outbox.py::test_sent_and_its_timeline_event_are_written_together_or_not_at_all"],
    area=SENDER_AREA,
)
mutation(
    id="send-to-suppressed",
    what="the sender no longer re-checks the suppression list at send time",
    file=SENDER,
    old="    if row.recipient_email.strip().lower() in suppressed:\n        outbox.mark_failed(row, SUPPRESSED)",
    new="    if False:\n        outbox.mark_failed(row, SUPPRESSED)",
    catchers=[f"{OUTREACH}/test_sender_rules.py::test_a_suppressed_recipient_is_refused_at_send_time"],
    area=SENDER_AREA,
)
mutation(
    id="mailbox-lease-ignored",
    what="two senders may work one mailbox at once (pacing and the daily cap break)",
    file=SENDER,
    old="got = Mailbox.objects.filter(free, pk=self.mailbox.pk).update(",
    new="got = Mailbox.objects.filter(pk=self.mailbox.pk).update(",
    catchers=[f"{OUTREACH}/test_rules_sender.py::test_a_second_sender_leaves_a_mailbox_another_worker_holds"],
    area=SENDER_AREA,
)
mutation(
    id="daily-cap-off-by-one",
    what="the daily cap lets one more message through",
    file=SENDER,
    old="if sent_today >= mailbox.daily_cap:",
    new="if sent_today > mailbox.daily_cap:",
    catchers=[f"{OUTREACH}/test_sender_cap.py::test_a_thousand_emails_on_a_cap_of_400_go_out_over_three_days"],
    area=SENDER_AREA,
)

# --- Our own: watcher --------------------------------------------------------------------------------

WATCHER = "sixdegrees/outreach/watcher.py"
mutation(
    id="watcher-applies-twice",
    what="a message read again (new UIDVALIDITY) is applied a second time",
    file=WATCHER,
    old='        if not created:\n            return "seen"\n',
    new="",
    catchers=[],
    why_not="equivalent unless two readers race: the `seen` check before it returns first, and the unique Message-ID stops a second Reply row",
    area=WATCHER_AREA,
)
mutation(
    id="watcher-own-copy",
    what="a copy of our own sent email in the inbox is treated as their reply",
    file=WATCHER,
    old='        return "own"  # a copy of something sent from this mailbox',
    new="        pass",
    catchers=[f"{OUTREACH}/test_rules_watcher.py::test_a_copy_of_our_own_follow_up_in_the_inbox_is_not_their_reply"],
    area=WATCHER_AREA,
)
mutation(
    id="watcher-folder-lease-ignored",
    what="two workers read one folder at once",
    file=WATCHER,
    old="if MailboxCursor.objects.filter(free, pk=self.cursor.pk).update(lease_until=now + LEASE) != 1:",
    new="if MailboxCursor.objects.filter(pk=self.cursor.pk).update(lease_until=now + LEASE) != 1:",
    catchers=[f"{OUTREACH}/test_rules_watcher.py::test_a_folder_another_worker_is_reading_is_left_to_it"],
    area=WATCHER_AREA,
)
mutation(
    id="watcher-subject-any",
    what="a reply matched by sender only, whatever its subject",
    file=WATCHER,
    old="        if subject and parsing.normalize_subject(row.subject) == subject:\n",
    new="        if True:\n",
    catchers=[f"{OUTREACH}/test_rules_watcher.py::test_another_email_from_the_same_person_is_not_a_reply"],
    area=WATCHER_AREA,
)

# --- Our own: chain -------------------------------------------------------------------------------

CHAIN = "sixdegrees/outreach/chain.py"
mutation(
    id="chain-thanks-undoes-yes",
    what='a later "thanks!" (unclear) replaces an earlier yes',
    file=CHAIN,
    old='    if intent.intent != "unclear" or not root.reply_intent:\n        changes["reply_intent"] = intent.intent',
    new='    if True:\n        changes["reply_intent"] = intent.intent',
    catchers=[f"{OUTREACH}/test_rules_chain.py::test_a_thank_you_after_a_yes_keeps_the_next_hop_open"],
    area=CHAIN_AREA,
)
mutation(
    id="chain-stop-not-suppressed",
    what='"please stop" no longer puts the address on the suppression list',
    file=CHAIN,
    old='        suppress(address, Suppression.Reason.ASKED_TO_STOP, f"Replied asking not to be contacted ({campaign.pk})")',
    new="        pass",
    catchers=[f"{OUTREACH}/test_chain.py::test_stop_puts_the_sender_on_the_suppression_list_for_every_campaign"],
    area=CHAIN_AREA,
)
mutation(
    id="chain-bounce-after-reply",
    what="a bounce after a reply overwrites the reply",
    file=CHAIN,
    old=".exclude(status__in=[Status.DRAFT, Status.REPLIED]).update(\n        status=Status.BOUNCED,",
    new=".exclude(status__in=[Status.DRAFT]).update(\n        status=Status.BOUNCED,",
    catchers=[f"{OUTREACH}/test_rules_chain.py::test_a_bounce_after_their_reply_leaves_the_reply"],
    area=CHAIN_AREA,
)
mutation(
    id="chain-follow-up-at-once",
    what="the follow-up is drafted right after sending, not after 48 hours of silence",
    file=CHAIN,
    old="Q(follow_up_after__isnull=True, sent_at__lte=now - follow_up_window())",
    new="Q(follow_up_after__isnull=True, sent_at__lte=now)",
    catchers=[f"{OUTREACH}/test_followup.py::test_48_hours_of_silence_send_exactly_one_follow_up_in_the_thread"],
    area=CHAIN_AREA,
)
mutation(
    id="chain-gate-skips-undrafted",
    what="hop k+1 may go when hop k was never even drafted",
    file=CHAIN,
    old="        return EmailOutreach(campaign=email.campaign, hop=email.hop - 1)  # not even drafted",
    new="        return None",
    catchers=[f"{OUTREACH}/test_rules_chain.py::test_hop_two_waits_when_hop_one_has_no_email_at_all"],
    area=CHAIN_AREA,
)

# --- Our own: approval ------------------------------------------------------------------------------

APPROVAL = "sixdegrees/outreach/approval.py"
mutation(
    id="approve-any-verified-user",
    what="any signed-in, confirmed person may approve a campaign's email, not only its owner",
    file="sixdegrees/accounts/access.py",  # is_signed_in_owner, which approve() asks
    old='        getattr(user, "is_authenticated", False)\n        and user.pk == campaign.owner_id\n',
    new='        getattr(user, "is_authenticated", False)\n',
    catchers=[f"{OUTREACH}/test_rules_approval.py::test_approve_refuses_anyone_but_the_owner_even_a_confirmed_person"],
    area=APPROVAL_AREA,
)
mutation(
    id="approve-suppressed",
    what="approval no longer refuses a suppressed recipient",
    file=APPROVAL,
    old="    if Suppression.is_suppressed(email.recipient_email):\n        raise BadRequest(",
    new="    if False:\n        raise BadRequest(",
    catchers=[f"{OUTREACH}/test_send_api.py::test_a_suppressed_recipient_is_refused"],
    area=APPROVAL_AREA,
)
mutation(
    id="approve-free",
    what="approval queues without spending the campaign's credit",
    file=APPROVAL,
    old="            charge_campaign_start(campaign, approver)  # the first send",
    new="            pass  # charge_campaign_start(campaign, approver)  # the first send",
    catchers=["sixdegrees/billing/tests/test_charging.py::test_the_first_approved_send_uses_one_credit"],
    area=APPROVAL_AREA,
)
mutation(
    id="approve-gate-skipped",
    what="approval no longer asks the hop gate",
    file=APPROVAL,
    old="        check_gate(email)  # double opt-in",
    new="        pass  # double opt-in",
    catchers=[f"{OUTREACH}/test_chain.py::test_the_send_api_refuses_hop_two_before_hop_one_said_yes"],
    area=APPROVAL_AREA,
)

# --- Our own: access ------------------------------------------------------------------------------

ACCESS = "sixdegrees/accounts/access.py"
mutation(
    id="access-unverified-sees-all",
    what="a signed-in person whose address is not confirmed sees every campaign of that address",
    file=ACCESS,
    old='if user.is_authenticated and getattr(user, "email_verified", False):',
    new="if user.is_authenticated:",
    catchers=[
        "sixdegrees/accounts/tests/test_rules_access.py::test_a_signed_in_but_unconfirmed_person_sees_only_what_this_browser_created"
    ],
    area=ACCESS_AREA,
)
mutation(
    id="access-email-any-campaign",
    what="an email is found by id whatever campaign it belongs to",
    file=ACCESS,
    old=".filter(id=str(email_id)[:64], campaign_id__in=campaign_ids)",
    new=".filter(id=str(email_id)[:64])",
    catchers=["sixdegrees/campaigns/tests/test_campaign_api.py::test_it_checks_ownership"],
    area=ACCESS_AREA,
)
mutation(
    id="access-session-forgets-others",
    what="a browser remembers only its newest campaign",
    file=ACCESS,
    old="request.session[SESSION_KEY] = [campaign.id, *ids][:MAX_SESSION_CAMPAIGNS]",
    new="request.session[SESSION_KEY] = [campaign.id]",
    catchers=["sixdegrees/accounts/tests/test_rules_access.py::test_a_browser_keeps_every_campaign_it_created"],
    area=ACCESS_AREA,
)

# --- Our own: ledger -------------------------------------------------------------------------------

LEDGER = "sixdegrees/billing/ledger.py"
mutation(
    id="ledger-spend-without-credit",
    what="a charge spends a credit the person does not have",
    file=LEDGER,
    old="spent = User.objects.filter(pk=user_id, credits_balance__gte=1).update(",
    new="spent = User.objects.filter(pk=user_id).update(",
    catchers=[
        "sixdegrees/billing/tests/test_charging.py::test_without_credits_nothing_is_queued_and_the_way_to_upgrade_is_given"
    ],
    area=LEDGER_AREA,
)
mutation(
    id="ledger-charge-twice",
    what="a campaign is charged again by its second approved email",
    file=LEDGER,
    old='        if CreditTransaction.objects.filter(external_event_id=key).exists():\n            return ChargeResult(False, "already_charged")\n        # Campaigns imported',
    new="        # Campaigns imported",
    catchers=[],
    why_not="equivalent: the campaign's credits_used (or, on an unlimited plan, the unique usage key) answers already_charged the same way",
    area=LEDGER_AREA,
)
mutation(
    id="ledger-negative-unflagged",
    what="a balance pushed below zero is not flagged for the operator",
    file=LEDGER,
    old="    if balance >= 0:\n        return\n    message = ",
    new="    if True:\n        return\n    message = ",
    catchers=["sixdegrees/billing/tests/test_ledger.py::test_going_below_zero_is_applied_and_flagged"],
    area=LEDGER_AREA,
)
mutation(
    id="ledger-refill-blind",
    what="the monthly refill writes without its compare-and-set",
    file=LEDGER,
    old="moved = User.objects.filter(pk=user_id, credits_balance=balance).update(",
    new="moved = User.objects.filter(pk=user_id).update(",
    catchers=[],
    why_not="race only: the balance must move between the refill's read and its write; no test interleaves them yet",
    area=LEDGER_AREA,
)
mutation(
    id="ledger-check-blind",
    what="billing check reports no mismatch, whatever the balances",
    file=LEDGER,
    old='.filter(~Q(credits_balance=F("ledger")))',
    new='.filter(Q(credits_balance=F("ledger")) & ~Q(credits_balance=F("ledger")))',
    catchers=["sixdegrees/billing/tests/test_ledger.py::test_check_finds_a_hand_broken_balance"],
    area=LEDGER_AREA,
)
mutation(
    id="ledger-duplicate-event",
    what="a repeated external event (a Stripe retry) changes the balance again",
    file=LEDGER,
    old="""        except IntegrityError:
            if external_event_id and CreditTransaction.objects.filter(external_event_id=external_event_id).exists():
                return None  # another transaction recorded the same cause a moment ago
            raise
""",
    new="""        except IntegrityError:
            raise
""",
    catchers=[],
    why_not="race only: a sequential repeat is stopped by the check before the insert; two concurrent deliveries of one event are not tested",
    area=LEDGER_AREA,
)


# --- Applying and restoring ------------------------------------------------------------------------


class Interrupted(Exception):
    pass


def _on_signal(signum, _frame):
    raise KeyboardInterrupt(f"signal {signum}")


def restore_leftovers() -> list[str]:
    """Put back what a killed run left mutated (its originals wait in .mutations-backup/)."""
    restored = []
    if BACKUP.exists():
        for saved in sorted(p for p in BACKUP.rglob("*") if p.is_file()):
            target = ROOT / saved.relative_to(BACKUP)
            shutil.copyfile(saved, target)
            restored.append(str(target.relative_to(ROOT)))
        shutil.rmtree(BACKUP)
    return restored


class Applied:
    """The mutation is in the file inside the `with`; the original is back after it, whatever happens."""

    def __init__(self, m: Mutation) -> None:
        self.m = m
        self.original = ""

    def __enter__(self) -> Applied:
        self.original = self.m.path.read_text()
        if self.original.count(self.m.old) != 1:
            raise ValueError(
                f"{self.m.id}: the text to replace is in {self.m.file} {self.original.count(self.m.old)} times"
            )
        saved = BACKUP / self.m.file
        saved.parent.mkdir(parents=True, exist_ok=True)
        saved.write_text(self.original)
        self.m.path.write_text(self.original.replace(self.m.old, self.m.new))
        return self

    def __exit__(self, *exc) -> None:
        self.m.path.write_text(self.original)
        shutil.rmtree(BACKUP, ignore_errors=True)


# --- Running -------------------------------------------------------------------------------------


FAILED = re.compile(r"^(?:FAILED|ERROR) (\S+)", re.M)


def run_pytest(targets: list[str], *, database_url: str, stop_first: bool) -> tuple[int, list[str], str]:
    env = {**os.environ, "SIXDEGREES_REQUIRE_SERVICES": "1"}
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    args = [*PYTEST, "-q", "-rfE", "-p", "no:cacheprovider", *(["-x"] if stop_first else []), *targets]
    done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True)
    failed = sorted({node.split(" ")[0] for node in FAILED.findall(done.stdout)})
    return done.returncode, failed, done.stdout[-3000:]


ON_POSTGRES = False  # --on-postgres: run every mutation's tests on PostgreSQL, not only the PostgreSQL-only ones


def database_for(m: Mutation, postgres: str) -> str:
    return postgres if m.db == "postgresql" or ON_POSTGRES else ""


def run_one(m: Mutation, *, postgres: str, discover: bool, baseline: dict[str, list[str]]) -> tuple[str, list[str]]:
    """Returns (caught | survived | error, the tests that failed)."""
    database_url = database_for(m, postgres)
    targets = [t for t in m.area if (ROOT / t).exists()] if discover else m.catchers
    deselect = [arg for node in baseline.get(database_url, []) for arg in ("--deselect", node)]
    with Applied(m):
        code, failed, tail = run_pytest([*targets, *deselect], database_url=database_url, stop_first=not discover)
    if code == 1 and failed:
        return "caught", failed
    if code == 0:
        return "survived", []
    return "error", [tail]


def baseline_failures(targets: list[str], database_url: str) -> list[str]:
    """Tests that fail with no mutation in: --discover leaves them out rather than count them."""
    code, failed, tail = run_pytest(targets, database_url=database_url, stop_first=False)
    if code not in (0, 1):
        raise SystemExit(f"the unmutated tests did not run:\n{tail}")
    return failed


def table() -> str:
    lines = [
        "| mutation | file:line changed | caught by | database |",
        "|---|---|---|---|",
    ]
    for m in MUTATIONS:
        tests = "<br>".join(f"`{node}`" for node in m.catchers) or f"not caught: {m.why_not}"
        db = "PostgreSQL only" if m.db == "postgresql" else "SQLite and PostgreSQL"
        if not m.catchers:
            db = "—"
        lines.append(f"| `{m.id}`: {m.what} | `{m.file}:{m.line()}` | {tests} | {db} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("ids", nargs="*", help="mutation ids (default: all)")
    parser.add_argument("--discover", action="store_true", help="run each mutation against its area's test files")
    parser.add_argument("--table", action="store_true", help="print the markdown table and exit")
    parser.add_argument("--check", action="store_true", help="check every anchor is in its file exactly once")
    parser.add_argument("--postgres", default=os.environ.get("MUTATIONS_DATABASE_URL", DEFAULT_POSTGRES))
    parser.add_argument("--on-postgres", action="store_true", help="run every mutation's tests on PostgreSQL")
    options = parser.parse_args(argv)
    global ON_POSTGRES
    ON_POSTGRES = options.on_postgres

    for path in restore_leftovers():
        print(f"restored {path} from an interrupted run")
    known = {m.id: m for m in MUTATIONS}
    unknown = [i for i in options.ids if i not in known]
    if unknown:
        parser.error(f"unknown mutation(s): {', '.join(unknown)}; known: {', '.join(known)}")
    chosen = [known[i] for i in options.ids] if options.ids else MUTATIONS
    if options.table:
        print(table())
        return 0
    broken = [m.id for m in chosen if m.path.read_text().count(m.old) != 1]
    if options.check or broken:
        for name in broken:
            print(f"{name}: its text is no longer in {known[name].file} exactly once; update scripts/mutations.py")
        return 1 if broken else 0

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGHUP, _on_signal)
    baseline: dict[str, list[str]] = {}
    if options.discover:
        for database_url in sorted({database_for(m, options.postgres) for m in chosen}):
            area = sorted(
                {t for m in chosen if database_for(m, options.postgres) == database_url for t in m.area}
                & {str(p.relative_to(ROOT)) for p in ROOT.glob("sixdegrees/*/tests/test_*.py")}
            )
            baseline[database_url] = baseline_failures(area, database_url)
            if baseline[database_url]:
                print(f"failing without any mutation (left out): {', '.join(baseline[database_url])}")
    outcomes: dict[str, str] = {}
    try:
        for m in chosen:
            if not m.catchers and not options.discover:
                print(f"{'known':8} {m.id}: no test catches it ({m.why_not})")
                continue
            started = time.monotonic()
            outcome, failed = run_one(m, postgres=options.postgres, discover=options.discover, baseline=baseline)
            outcomes[m.id] = outcome
            where = " (PostgreSQL)" if database_for(m, options.postgres) else ""
            print(f"{outcome:8} {m.id}{where}  [{time.monotonic() - started:.0f} s]", flush=True)
            for line in failed:
                print(f"         {line}")
    except KeyboardInterrupt:
        print("\ninterrupted: every file is back as it was", file=sys.stderr)
        return 130
    survived = [i for i, o in outcomes.items() if o != "caught"]
    print(
        f"\n{len(outcomes) - len(survived)} of {len(outcomes)} caught"
        + (f"; not caught: {', '.join(survived)}" if survived else "")
    )
    return 1 if survived else 0


if __name__ == "__main__":
    sys.exit(main())
