"""Every admin page an operator opens in the runbook's manual fixes renders (list, and one row)."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from sixdegrees.campaigns.models import Campaign
from sixdegrees.outreach.models import EmailOutreach

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(django_user_model) -> Client:
    staff = django_user_model.objects.create_superuser("ops@example.com", password="a-long-operator-password")
    client = Client()
    client.force_login(staff)
    return client


def test_every_registered_model_lists_and_opens(operator, alice):
    campaign = Campaign.objects.create(owner=alice, email=alice.email, target_name="王小明", target_company="Acme")
    EmailOutreach.objects.create(campaign=campaign, recipient_email="x@example.org", subject="<b>hi</b>")
    for model in admin.site._registry:
        meta = model._meta
        url = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        response = operator.get(url)
        assert response.status_code == 200, url
        first = model._default_manager.first()
        if first is not None:
            change = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[first.pk])
            assert operator.get(change).status_code == 200, change


def test_strangers_are_sent_to_the_admin_login(alice):
    client = Client()
    client.force_login(alice)  # a person, not staff
    response = client.get(reverse("admin:campaigns_campaign_changelist"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
