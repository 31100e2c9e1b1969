"""The tests' own IMAP session on the Dovecot INBOX, shared by the watcher tests."""

from __future__ import annotations

import re

from django.utils import timezone
from imapclient import IMAPClient


class Inbox:
    """The test's own IMAP session on the Dovecot INBOX (it may write; the watcher may not)."""

    def __init__(self, dovecot) -> None:
        self.dovecot = dovecot

    def _client(self) -> IMAPClient:
        client = IMAPClient(self.dovecot.host, port=self.dovecot.port, ssl=False, timeout=10)
        client.login(self.dovecot.user, self.dovecot.password)
        return client

    def append(self, raw: bytes, *, seen: bool = False) -> int:
        client = self._client()
        try:
            # INTERNALDATE from the test's clock, not the server's: the watcher searches SINCE a date
            # computed from `timezone.now()`, which a frozen-date run moves.
            answer = client.append("INBOX", raw, flags=[rb"\Seen"] if seen else [], msg_time=timezone.now())
        finally:
            client.logout()
        return int(re.search(rb"APPENDUID \d+ (\d+)", answer).group(1))

    def flags(self) -> dict[int, set[bytes]]:
        client = self._client()
        try:
            client.select_folder("INBOX", readonly=True)
            uids = client.search(["ALL"])
            data = client.fetch(uids, ["FLAGS"]) if uids else {}
        finally:
            client.logout()
        # \Recent is a session marker, not a stored flag: it belongs to whichever session saw it first.
        return {uid: set(item[b"FLAGS"]) - {rb"\Recent"} for uid, item in data.items()}

    def clear(self) -> None:
        client = self._client()
        try:
            client.select_folder("INBOX")
            uids = client.search(["ALL"])
            if uids:
                client.delete_messages(uids)
                client.expunge()
        finally:
            client.logout()
