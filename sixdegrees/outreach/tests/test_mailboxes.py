"""Mailbox credentials at rest, key rotation, and "test connection" in plain words."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from sixdegrees.conftest import free_port
from sixdegrees.outreach import crypto, mailboxes, sender
from sixdegrees.outreach.models import Mailbox
from sixdegrees.outreach.tests.servers import SMTP_USER, make_campaign, make_mailbox, queue_email


@pytest.fixture
def keys(settings):
    first, second = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.ENCRYPTION_KEYS = [first]
    return first, second


def test_secrets_round_trip_and_rotate_to_the_first_key(keys, settings):
    old, new = keys
    token = crypto.encrypt("app password 密码")
    assert crypto.decrypt(token) == "app password 密码"
    settings.ENCRYPTION_KEYS = [new, old]  # the new key goes first; the old one still decrypts
    assert crypto.decrypt(token) == "app password 密码"
    rotated = crypto.rotate(token)
    settings.ENCRYPTION_KEYS = [new]
    assert crypto.decrypt(rotated) == "app password 密码"
    with pytest.raises(crypto.CredentialError, match="not in SIXDEGREES_ENCRYPTION_KEYS"):
        crypto.decrypt(token)


def test_a_bad_key_is_named_by_position_not_echoed(settings):
    settings.ENCRYPTION_KEYS = [Fernet.generate_key().decode(), "not-a-key"]
    with pytest.raises(ImproperlyConfigured, match="key number 2 is not a Fernet key") as error:
        crypto.encrypt("x")
    assert "not-a-key" not in str(error.value)


def test_development_generates_a_private_key_file_once(settings, tmp_path):
    settings.ENCRYPTION_KEYS, settings.DATA_DIR = [], tmp_path
    token = crypto.encrypt("secret")
    key_file = tmp_path / crypto.KEY_FILE_NAME
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert crypto.decrypt(token) == "secret" and crypto.configured_keys() == (key_file.read_text(),)


def test_production_refuses_to_store_a_password_without_keys(settings):
    settings.ENCRYPTION_KEYS, settings.PRODUCTION = [], True
    with pytest.raises(ImproperlyConfigured, match="SIXDEGREES_ENCRYPTION_KEYS must be set in production"):
        crypto.encrypt("x")


@pytest.mark.django_db
def test_test_connection_reports_smtp_and_imap_logins(alice, smtp_server, dovecot):
    mailbox = make_mailbox(alice, smtp_server, imap=dovecot)
    report = mailboxes.test_connection(mailbox)
    assert report.ok, report.lines
    assert report.lines == [
        f"SMTP: logged in to 127.0.0.1:{smtp_server.port} as {SMTP_USER}",
        f"IMAP: logged in to 127.0.0.1:{dovecot.port} as {SMTP_USER}; Sent folder: Sent",
    ]


@pytest.mark.django_db
def test_test_connection_says_what_went_wrong(alice, smtp_server):
    smtp_server.credentials[SMTP_USER] = "changed"
    closed = free_port()
    mailbox = make_mailbox(alice, smtp_server, imap_host="127.0.0.1", imap_port=closed, imap_security="none")
    report = mailboxes.test_connection(mailbox)
    assert not report.ok
    assert report.lines == [
        "SMTP: the server refused the password (535)",
        f"IMAP: could not connect to 127.0.0.1:{closed}: connection refused",
    ]
    mailbox.refresh_from_db()
    assert "refused the password" in mailbox.last_error


@pytest.mark.django_db
def test_test_connection_lifts_a_password_pause_once_the_login_works(alice, smtp_server):
    mailbox = make_mailbox(alice, smtp_server)
    mailboxes.pause(mailbox, Mailbox.PauseReason.AUTH, "535 5.7.8 Authentication credentials invalid")
    assert mailbox.pause_words().startswith("paused: the server refused the password")
    report = mailboxes.test_connection(mailbox)
    assert report.ok and "Sending resumes: the password works again." in report.lines
    mailbox.refresh_from_db()
    assert mailbox.pause_words() == ""


@pytest.mark.django_db
def test_an_untrusted_certificate_is_reported(alice, smtp_server):
    mailbox = make_mailbox(alice, smtp_server, smtp_cafile="")  # the system CAs do not know this one
    [line, _imap] = mailboxes.test_connection(mailbox).lines
    assert line.startswith(f"SMTP: could not connect to 127.0.0.1:{smtp_server.port}: the server's certificate")


@pytest.mark.django_db
def test_without_any_mailbox_the_report_says_mail_stays_local(settings):
    report = mailboxes.test_connection(mailboxes.operator_mailbox())
    assert report.ok and report.lines[0].startswith("No mailbox is configured: emails are written to")


@pytest.mark.django_db(transaction=True)
def test_a_password_whose_key_is_gone_pauses_the_mailbox_instead_of_failing_emails(alice, smtp_server, keys, settings):
    mailbox = make_mailbox(alice, smtp_server)
    settings.ENCRYPTION_KEYS = [keys[1]]  # the old key was dropped before rotating
    email = queue_email(make_campaign(alice))
    assert sender.deliver(email.id).stopped == "paused"
    email.refresh_from_db()
    mailbox.refresh_from_db()
    assert email.status == "queued" and email.attempts == 0
    assert mailbox.pause_reason == "auth" and "cannot be decrypted" in mailbox.last_error
    mailbox.set_password("app-password-1")  # the person enters it again
    mailbox.save()
    assert sender.deliver(email.id).sent == 1
