"""One message seen between the owner and one counterpart: what the mailbox scan gives the formula.

A leaf of its own so the strength formula (strength.py) stays free of IMAP.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Observed:
    """One message seen between the owner and one counterpart (one per recipient of a sent message)."""

    direction: Literal["out", "in"]
    address: str  # the counterpart, lower-cased
    name: str  # their display name as the message gives it ("" when none)
    at: dt.datetime  # aware, UTC: from Date, else INTERNALDATE
    recipients: int  # people the message was addressed to (To + Cc; for "out" without the owner)
    bulk: bool
    reason: str  # why it is bulk ("List-Unsubscribe", "31 recipients", …); "" when it is not
    message_id: str = ""
    folder: str = ""
