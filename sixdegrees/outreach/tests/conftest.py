"""Fixtures for the outreach tests: the real mail servers in servers.py (aiosmtpd, Dovecot)."""

import pytest
from django.test import Client

from sixdegrees.outreach import sender
from sixdegrees.outreach.tests.inbox import Inbox
from sixdegrees.outreach.tests.servers import dovecot, dovecot_server, smtp_server, tls_cert  # noqa: F401


@pytest.fixture(params=["lowest", "highest"])
def jitter_draw(request, monkeypatch):
    """Run the test with the sender's jitter at each end of its range: bounds must hold for every draw."""
    pick = min if request.param == "lowest" else max
    monkeypatch.setattr(sender, "jitter", lambda low, high: pick(low, high))
    return request.param


@pytest.fixture
def inbox(dovecot):  # noqa: F811  (the fixture imported above)
    """The Dovecot INBOX, empty before and after the test."""
    box = Inbox(dovecot)
    box.clear()
    yield box
    box.clear()


@pytest.fixture
def signed_in(alice) -> Client:
    """A browser signed in as alice, the owner."""
    client = Client()
    client.force_login(alice)
    return client
