"""How well the person knows someone, from the mail between them: a documented score from 0 to 1.

Pure: observations (sixdegrees/network/mailscan.py `Observed`) in, a `Tie` out; no database, no clock.

The formula, for the messages between the owner and one address:

1. Bulk mail (lists, newsletters, automated or no-reply senders, announcements) is dropped.
   What is left must go both ways: mail only sent or only received is no tie (score 0), as
   4Degrees, Nudge and Connect The Dots treat it.
2. Interaction rank (Roth et al., KDD 2010), each message weighted by 1 / its recipients:

       rank = OUT_WEIGHT · Σ_out w(t) / r  +  Σ_in w(t) / r,     w(t) = 2^(−age / HALF_LIFE_DAYS)

   OUT_WEIGHT = 2: writing to someone says more than being written to (Roth et al. weight
   outgoing mail more without publishing the factor; 2 is our guess). HALF_LIFE_DAYS = 180:
   an exchange half a year ago counts half, a year ago a quarter (a guess suited to
   professional ties, which are slower than the personal ones studied).
3. Silence (Navarro et al., EPJ Data Science 2017: a tie usually decays once silence exceeds ~8×
   its usual gap). The usual gap is the median time between consecutive messages, at least
   MIN_GAP_DAYS (a burst of replies within an hour is not a rhythm to hold anyone to). Past
   SILENCE_FACTOR × gap of silence the rank halves again for every further SILENCE_FACTOR × gap.
4. score = 1 − e^(−rank / SATURATION): saturating, so the tenth exchange adds less than the
   first; SATURATION = 8 makes one fresh one-to-one exchange (1 out + 1 in) 0.31, above the
   priors for address-book-only (0.15) and LinkedIn-only (0.10) ties, which say "we have met"
   without any evidence of talking.

Worked example, now = 1 Dec 2026: you and Ana wrote to each other once a week, taking turns,
14 one-to-one emails from 2 Aug to 1 Nov 2026 (you sent 7, she sent 7). Σ_out w = 5.194 and
Σ_in w = 5.336, so rank = 2 · 5.194 + 5.336 = 15.72. The usual gap is 7 days and 30 days of
silence is under 8 × 7 = 56, so nothing more decays: score = 1 − e^(−15.72/8) = 0.86, evidence
"14 emails, both ways, last on 1 Nov 2026". Had your first email also gone to two others
(r = 3), it would count a third: 0.84. The same thread a year earlier (last on 1 Nov 2025) has
rank 3.86 from age alone; its 395 days of silence are 339 past the 56-day threshold, 6.05 more
halvings (× 0.015), and the score is 0.007.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import statistics
from collections.abc import Iterable
from dataclasses import dataclass

from sixdegrees.network.observed import Observed

OUT_WEIGHT = 2.0
HALF_LIFE_DAYS = 180.0
MIN_GAP_DAYS = 7.0
SILENCE_FACTOR = 8.0
SATURATION = 8.0

# Priors for ties we know of without any mail: stated, not measured. Below one real exchange.
ADDRESS_BOOK_PRIOR = 0.15  # they are in the person's address book (Google, Outlook, vCard)
LINKEDIN_PRIOR = 0.10  # a LinkedIn connection only: accepting an invitation is cheap

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class Tie:
    score: float  # 0..1; 0 means no tie
    sent: int  # one-to-few emails the owner sent them (bulk left out)
    received: int  # one-to-few emails they sent the owner
    last_at: dt.datetime | None  # the newest counted message (or, with none, the newest bulk one)
    two_way: bool
    evidence: str  # one English sentence the person can check


def strength(observations: Iterable[Observed], now: dt.datetime) -> Tie:
    """The tie to one address from every message observed between the owner and it."""
    everything = _distinct(observations)
    counted = [item for item in everything if not item.bulk]
    sent = sum(1 for item in counted if item.direction == "out")
    received = len(counted) - sent
    two_way = sent > 0 and received > 0
    if not counted:
        last_bulk = max((item.at for item in everything), default=None)
        words = f"{_count(len(everything), 'bulk email')} (mailing list, automated or mass mail), not counted"
        return Tie(0.0, 0, 0, last_bulk, False, words if everything else "No emails")
    last_at = max(item.at for item in counted)
    if not two_way:
        if sent:
            words = f"{_count(sent, 'email')} you sent, never answered, last on {_day(last_at)}"
        else:
            words = f"{_count(received, 'email')} received, never answered, last on {_day(last_at)}"
        return Tie(0.0, sent, received, last_at, False, words)
    rank = sum(_weight(item, now) for item in counted) * _silence(counted, now)
    score = 1.0 - math.exp(-rank / SATURATION)
    words = f"{_count(len(counted), 'email')}, both ways, last on {_day(last_at)}"
    if _silence(counted, now) < 1.0:
        words += f"; quiet for {int(_days(now - last_at))} days"
    return Tie(round(score, 4), sent, received, last_at, True, words)


def _distinct(observations: Iterable[Observed]) -> list[Observed]:
    """One observation per message and direction: a message seen twice (a rescan) counts once."""
    seen: set[tuple[str, str]] = set()
    kept = []
    for item in observations:
        if item.message_id:
            key = (item.message_id, item.direction)
            if key in seen:
                continue
            seen.add(key)
        kept.append(item)
    return kept


def _weight(item: Observed, now: dt.datetime) -> float:
    age = max(0.0, _days(now - item.at))  # a clock ahead of ours is "now", not the future
    decay = 2.0 ** (-age / HALF_LIFE_DAYS)
    return (OUT_WEIGHT if item.direction == "out" else 1.0) * decay / max(1, item.recipients)


def _silence(counted: list[Observed], now: dt.datetime) -> float:
    """1 while the silence is within SILENCE_FACTOR usual gaps, then halving per as many more."""
    times = sorted(item.at for item in counted)
    gaps = [_days(later - earlier) for earlier, later in itertools.pairwise(times)]
    usual = max(MIN_GAP_DAYS, statistics.median(gaps) if gaps else MIN_GAP_DAYS)
    threshold = SILENCE_FACTOR * usual
    quiet = _days(now - times[-1])
    if quiet <= threshold:
        return 1.0
    return 2.0 ** (-(quiet - threshold) / threshold)


def _days(delta: dt.timedelta) -> float:
    return delta.total_seconds() / 86400


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _day(when: dt.datetime) -> str:
    # Month names spelled here: strftime's %b follows the process locale.
    when = when.astimezone(dt.UTC)
    return f"{when.day} {_MONTHS[when.month - 1]} {when.year}"
