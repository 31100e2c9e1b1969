"""A sign-in code that could not be sent: the person is told the truth, and the code follows later."""

from __future__ import annotations

import datetime as dt
import logging
import re

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from sixdegrees.conftest import post_json
from sixdegrees.mail import service
from sixdegrees.mail.models import ServiceEmail
from sixdegrees.mail.tasks import retry_service_emails
from sixdegrees.outreach.tests.servers import SMTP_PASSWORD, SMTP_USER

pytestmark = pytest.mark.django_db(transaction=True)
NOT_SENT = "We could not send the code; try again in a minute."


@pytest.fixture
def operator_smtp(settings, private_ca_smtp_server):
    server = private_ca_smtp_server
    settings.GMAIL_ADDRESS = SMTP_USER
    settings.GMAIL_APP_PASSWORD = SMTP_PASSWORD
    settings.SMTP_HOST, settings.SMTP_PORT, settings.SMTP_SECURITY = server.host, server.port, "starttls"
    settings.SMTP_CAFILE = server.cafile
    settings.DEFAULT_FROM_EMAIL = f"SixDegrees <{SMTP_USER}>"
    settings.SERVICE_MAIL_TRANSPORT = "smtp"
    return server


def later(minutes: float):
    return time_machine.travel(timezone.now() + dt.timedelta(minutes=minutes), tick=True)


def test_a_failed_code_answers_503_and_the_retry_task_delivers_it_once_the_server_is_up(operator_smtp, alice, caplog):
    caplog.set_level(logging.DEBUG)
    operator_smtp.stop()  # the mail server is down
    client = Client()
    response = post_json(client, "/api/auth/request-code", {"email": alice.email})
    assert response.status_code == 503 and response.json()["error"] == NOT_SENT
    [row] = ServiceEmail.objects.all()
    assert (row.status, row.attempts, row.template, row.to_address) == ("pending", 1, "signin-code", alice.email)
    assert "connection refused" in row.last_error and row.next_attempt_at > timezone.now()

    assert retry_service_emails.call_local() == {"sent": 0, "retrying": 0, "failed": 0, "expired": 0}  # not due
    with later(2):
        assert retry_service_emails.call_local()["retrying"] == 1  # still down: backs off
    row.refresh_from_db()
    assert row.attempts == 2 and row.next_attempt_at > timezone.now() + dt.timedelta(minutes=3)

    operator_smtp.start()
    with later(5):
        assert retry_service_emails.call_local()["sent"] == 1
    row.refresh_from_db()
    assert row.status == "sent" and row.attempts == 3 and bytes(row.message) == b"" and row.sent_at
    [received] = operator_smtp.received
    assert received.rcpt_tos == [alice.email]
    code = re.search(r"\b(\d{6})\b", received.message.get_body(("plain",)).get_content()).group(1)
    signed_in = post_json(client, "/api/auth/verify", {"email": alice.email, "code": code})
    assert signed_in.status_code == 200
    # The code never reached the logs, only the mail.
    assert not any(code in record.getMessage() or code in str(record.__dict__) for record in caplog.records)


def test_the_sign_in_page_says_so_in_chinese(operator_smtp, alice):
    operator_smtp.stop()
    response = Client().post("/signin", {"step": "request", "email": alice.email}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 503
    page = response.content.decode()
    assert "我们未能发送验证码，请一分钟后再试。" in page
    assert "a sign-in code is on its way" not in page and "验证码已发送" not in page


def test_the_sign_in_page_says_so_in_english(operator_smtp, alice):
    operator_smtp.stop()
    response = Client().post("/signin", {"step": "request", "email": alice.email})
    assert response.status_code == 503 and NOT_SENT in response.content.decode()


def test_a_new_code_replaces_one_waiting_for_a_retry_and_an_expired_one_is_dropped(operator_smtp, alice, settings):
    operator_smtp.stop()
    for _ in range(2):
        assert post_json(Client(), "/api/auth/request-code", {"email": alice.email}).status_code == 503
    first, second = ServiceEmail.objects.order_by("pk")
    assert (first.status, bytes(first.message)) == ("expired", b"") and second.status == "pending"
    operator_smtp.start()
    with later(settings.LOGIN_CODE_MINUTES + 1):  # the code in it has expired meanwhile
        assert service.retry_due() == {"sent": 0, "retrying": 0, "failed": 0, "expired": 1}
    assert operator_smtp.received == []
