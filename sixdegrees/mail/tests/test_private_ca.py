"""Against an SMTP server whose certificate comes from a private CA (given in SMTP_CAFILE), every
kind of mail arrives: a sign-in code through the sign-in endpoint, and an outreach email."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from sixdegrees.conftest import post_json
from sixdegrees.mail.models import ServiceEmail
from sixdegrees.outreach import sender
from sixdegrees.outreach.tests.servers import SMTP_PASSWORD, SMTP_USER, make_campaign, queue_email

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def operator_smtp(settings, private_ca_smtp_server):
    """The operator's mailbox in the environment, on the private-CA server, as the docs describe."""
    server = private_ca_smtp_server
    settings.GMAIL_ADDRESS = SMTP_USER
    settings.GMAIL_APP_PASSWORD = SMTP_PASSWORD
    settings.SMTP_HOST = server.host
    settings.SMTP_PORT = server.port
    settings.SMTP_SECURITY = "starttls"
    settings.SMTP_CAFILE = server.cafile
    settings.IMAP_HOST = ""
    settings.DEFAULT_FROM_EMAIL = f"SixDegrees <{SMTP_USER}>"
    settings.SERVICE_MAIL_TRANSPORT = "smtp"  # what settings.py picks when GMAIL_* are set
    return server


def code_in(message) -> str:
    return re.search(r"\b(\d{6})\b", message.get_body(("plain",)).get_content()).group(1)


def test_a_sign_in_code_and_an_outreach_email_both_arrive(operator_smtp, alice):
    client = Client()
    response = post_json(client, "/api/auth/request-code", {"email": alice.email})
    assert response.status_code == 200, response.content
    [code_mail] = operator_smtp.received
    assert code_mail.rcpt_tos == [alice.email] and code_mail.mail_from == SMTP_USER
    assert "sign-in code" in code_mail.message["Subject"]
    assert code_mail.message["Auto-Submitted"] == "auto-generated"
    signed_in = post_json(client, "/api/auth/verify", {"email": alice.email, "code": code_in(code_mail.message)})
    assert signed_in.status_code == 200 and signed_in.json()["email"] == alice.email

    email = queue_email(make_campaign(alice))  # alice has no mailbox of her own: the operator's sends
    assert sender.deliver(email.id).sent == 1
    email.refresh_from_db()
    assert email.status == "sent"
    outreach_mail = operator_smtp.received[1]
    assert outreach_mail.rcpt_tos == ["wang@example.org"] and outreach_mail.message_id == email.message_id
    assert operator_smtp.logins == [f"{SMTP_USER}:True", f"{SMTP_USER}:True"]
    assert not ServiceEmail.objects.exists()


def test_without_the_ca_file_the_code_is_not_sent_and_the_answer_says_so(operator_smtp, settings, alice):
    settings.SMTP_CAFILE = ""  # the private CA is not in the system store: the certificate is refused
    response = post_json(Client(), "/api/auth/request-code", {"email": alice.email})
    assert response.status_code == 503
    answer = response.json()
    assert answer["success"] is False and answer["error"] == "We could not send the code; try again in a minute."
    assert operator_smtp.received == []
    [row] = ServiceEmail.objects.all()
    assert row.status == "pending" and "certificate is not trusted" in row.last_error
