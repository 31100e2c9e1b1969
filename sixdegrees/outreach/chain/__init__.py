"""The chain of introductions: what a reply, a bounce or silence does to a campaign.

Double opt-in: nobody beyond hop k is contacted until hop k said yes. Hop k+1's email stays a
draft, and `approve()` refuses to queue it (`check_gate`) until hop k's reply reads as yes (or
"send me a blurb"). Then:

- yes → hop k+1's draft is rewritten to mention the introducer by name (their From display name)
  and waits for approval, or is queued at once when the campaign runs on auto-pilot;
- blurb → a reply to them, in the same thread, carrying a note they can forward, is drafted;
- ask_other → a draft to the person they named, at the same hop;
- no / stop → nobody further is contacted; the next-best path's drafts are offered (stop also puts
  the address on the suppression list, so no campaign ever emails it again);
- not_now / unclear → nothing moves; the person reads the reply and decides (and can override
  the intent: `override_intent`);
- the target (last hop) replying yes → the campaign is `connected` and the person is told.

Silence (`check_silence`, run by the worker every few minutes): 48 hours without a reply → one
polite follow-up in the same thread. It is a draft for the person to approve, like every email
(DESIGN: nothing is sent without their approval), unless the campaign runs on auto-pilot, in which
case it is queued. Another OUTREACH_NEXT_PATH_DAYS without a reply → the next-best path's drafts
are offered. An out-of-office reply with a return date moves the follow-up to the day after it.

Every step goes on the campaign's timeline. Each action is safe to repeat: rows are created
behind unique constraints or conditional updates, so two workers, or a watcher that reads a
folder twice, change things once.

The jobs live in one module each, imported directly (this package imports none of them, so a
caller of one job does not load the others): `shape` (the chosen path and its hops), `gate`
(double opt-in), `replies` (reply state), `drafts` (what the chain offers), `bounces` (bounces,
automatic replies, suppression), `silence` (follow-ups and the next path), `overrides` (the
person's word) and `notices` (telling the person).
"""
