"""One TLS context serves every connection (loading a CA store costs ~27 ms each time)."""

from __future__ import annotations

import os
import ssl
from email.message import EmailMessage

import pytest

from sixdegrees.mail import server as mail_server
from sixdegrees.mail.server import ServerSettings
from sixdegrees.mail.smtp import SmtpConnection
from sixdegrees.outreach import imap
from sixdegrees.outreach.tests.servers import SMTP_PASSWORD, SMTP_USER


@pytest.fixture
def contexts_built(monkeypatch) -> list[str]:
    mail_server._context.cache_clear()
    built: list[str] = []
    real = ssl.create_default_context

    def counting(*args, **kwargs):
        built.append("built")
        return real(*args, **kwargs)

    monkeypatch.setattr(ssl, "create_default_context", counting)
    yield built
    mail_server._context.cache_clear()


def test_the_tls_context_is_built_once_for_many_connections(private_ca_smtp_server, contexts_built):
    server = private_ca_smtp_server
    config = ServerSettings(server.host, server.port, "starttls", SMTP_USER, SMTP_PASSWORD, cafile=server.cafile)
    for n in range(6):
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = SMTP_USER, "p@example.org", f"n{n}"
        message.set_content("hello")
        with SmtpConnection(config) as connection:
            connection.send(message, SMTP_USER, ["p@example.org"])
    assert len(server.received) == 6 and len(contexts_built) == 1
    assert imap.tls_context is mail_server.tls_context  # IMAP shares the same cached contexts

    # A renewed CA file is read again, once.
    stat = os.stat(server.cafile)
    os.utime(server.cafile, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    for _ in range(3):
        with SmtpConnection(config):
            pass
    assert len(contexts_built) == 2
