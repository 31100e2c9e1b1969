"""Fixtures for the network tests: the real Dovecot from the outreach tests, and a mailbox to fill."""

from __future__ import annotations

import datetime as dt
import re
import socket
import threading

import pytest
from imapclient import IMAPClient

from sixdegrees.outreach.tests.servers import Dovecot, dovecot, dovecot_server  # noqa: F401

FOLDERS = ("INBOX", "Sent")


class TestMailbox:
    """The test's own IMAP session on Dovecot: it may write (APPEND, delete); the scan may not."""

    __test__ = False  # a helper, not a test class

    def __init__(self, server: Dovecot) -> None:
        self.server = server

    def client(self) -> IMAPClient:
        client = IMAPClient(self.server.host, port=self.server.port, ssl=False, timeout=10)
        client.login(self.server.user, self.server.password)
        return client

    def append(self, folder: str, raw: bytes, at: dt.datetime, flags: tuple[bytes, ...] = ()) -> int:
        """Store a message with INTERNALDATE `at` (Dovecot refuses dates after its own clock)."""
        client = self.client()
        try:
            answer = client.append(folder, raw, flags=list(flags), msg_time=at)
        finally:
            client.logout()
        found = re.search(rb"APPENDUID \d+ (\d+)", answer)
        assert found is not None
        return int(found.group(1))

    def flags(self) -> dict[tuple[str, int], set[bytes]]:
        client = self.client()
        try:
            found: dict[tuple[str, int], set[bytes]] = {}
            for folder in FOLDERS:
                client.select_folder(folder, readonly=True)
                uids = client.search(["ALL"])
                for uid, item in (client.fetch(uids, ["FLAGS"]) if uids else {}).items():
                    # \Recent belongs to whichever session saw the message first, not to the message.
                    found[(folder, uid)] = set(item[b"FLAGS"]) - {rb"\Recent"}
            return found
        finally:
            client.logout()

    def clear(self) -> None:
        client = self.client()
        try:
            for folder in FOLDERS:
                client.select_folder(folder)
                uids = client.search(["ALL"])
                if uids:
                    client.delete_messages(uids)
                    client.expunge()
        finally:
            client.logout()


class CuttableProxy:
    """A TCP relay to Dovecot that the test can cut mid-session, as a dropped network would."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.sockets: list[socket.socket] = []
        self.threads: list[threading.Thread] = []
        self.lock = threading.Lock()
        self._start(self._accept)

    def _start(self, target, *args) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        thread.start()
        self.threads.append(thread)

    def _accept(self) -> None:
        while True:
            try:
                inner, _ = self.listener.accept()
            except OSError:
                return  # closed
            outer = socket.create_connection(self.target)
            with self.lock:
                self.sockets += [inner, outer]
            self._start(self._pump, inner, outer)
            self._start(self._pump, outer, inner)

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        for end in (source, sink):
            try:
                end.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def cut(self) -> None:
        with self.lock:
            for end in self.sockets:
                try:
                    end.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self) -> None:
        try:
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept(); close() alone does not
        except OSError:
            pass
        self.listener.close()
        self.cut()
        for thread in self.threads:
            thread.join(timeout=5)
        for end in self.sockets:
            end.close()


@pytest.fixture
def proxy(dovecot):  # noqa: F811  (the fixture imported above)
    relay = CuttableProxy(dovecot.host, dovecot.port)
    yield relay
    relay.close()


@pytest.fixture
def mailbox(dovecot) -> TestMailbox:  # noqa: F811  (the fixture imported above)
    """Dovecot's INBOX and Sent, empty before and after the test."""
    box = TestMailbox(dovecot)
    box.clear()
    yield box
    box.clear()
