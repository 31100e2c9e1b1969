"""GET /metrics: Prometheus text with request counts, latency, outbox gauges; refused to strangers."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from sixdegrees.campaigns.models import Campaign, CampaignStep
from sixdegrees.outreach.models import EmailOutreach

pytestmark = pytest.mark.django_db

URL = "/metrics"
STRANGER = "203.0.113.9"


def samples(response) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    assert response.status_code == 200, response.content
    found = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def value(found, name: str, **labels: str) -> float:
    return found.get((name, tuple(sorted(labels.items()))), 0.0)


def test_it_counts_requests_by_route_and_status(client):
    before = samples(client.get(URL))
    for _ in range(3):
        client.get("/api/health")
    client.get("/no-such-page-anywhere")

    after = samples(client.get(URL))

    health = {"route": "api/health", "method": "GET", "status": "503"}  # no worker in tests: 503
    assert (
        value(after, "sixdegrees_http_requests_total", **health)
        - value(before, "sixdegrees_http_requests_total", **health)
        == 3
    )
    unmatched = {"route": "(unmatched)", "method": "GET", "status": "404"}
    assert value(after, "sixdegrees_http_requests_total", **unmatched) >= 1
    assert value(after, "sixdegrees_http_request_duration_seconds_count", route="api/health", method="GET") >= 3
    assert (
        value(after, "sixdegrees_http_request_duration_seconds_bucket", route="api/health", method="GET", le="+Inf")
        >= 3
    )


def test_route_labels_are_patterns_not_ids(client, alice):
    client.force_login(alice)
    client.get("/api/campaign/camp_made_up_1")
    client.get("/api/campaign/camp_made_up_2")

    text = client.get(URL).content.decode()

    assert "camp_made_up" not in text
    assert 'route="api/campaign/<str:campaign_id>"' in text or 'route="api/campaign/<campaign_id>"' in text


def test_error_log_lines_are_counted(client):
    client.get("/api/health")  # 503: sixdegrees.request logs it at error level

    found = samples(client.get(URL))

    assert value(found, "sixdegrees_log_errors_total", logger="sixdegrees.request") >= 1


def test_outbox_and_strategy_numbers_come_from_the_database(client, alice):
    campaign = Campaign.objects.create(owner=alice, email=alice.email, target_name="Jane Doe", status="ready")
    for status in ("queued", "queued", "sending", "sent", "failed"):
        EmailOutreach.objects.create(campaign=campaign, status=status, recipient_email="x@example.com")
    for ms in (300, 4000, 45000):
        CampaignStep.objects.create(
            campaign=campaign, step_type="find_paths", planner="offline", status="completed", duration_ms=ms
        )

    found = samples(client.get(URL))

    assert value(found, "sixdegrees_database_up") == 1
    assert value(found, "sixdegrees_emails", status="queued") == 2
    assert value(found, "sixdegrees_emails", status="replied") == 0
    assert value(found, "sixdegrees_outbox_depth") == 3
    assert value(found, "sixdegrees_campaigns", status="ready") == 1
    assert value(found, "sixdegrees_users") == 1
    step = {"step_type": "find_paths", "planner": "offline", "status": "completed"}
    name = "sixdegrees_strategy_step_duration_seconds"
    assert value(found, f"{name}_count", **step) == 3
    assert value(found, f"{name}_sum", **step) == pytest.approx(49.3)
    assert value(found, f"{name}_bucket", **step, le="0.5") == 1
    assert value(found, f"{name}_bucket", **step, le="5.0") == 2
    assert value(found, f"{name}_bucket", **step, le="+Inf") == 3


def test_worker_heartbeat_age_is_exposed(client):
    from sixdegrees.ops.health import record_heartbeat

    record_heartbeat("host:1")
    found = samples(client.get(URL))

    assert 0 <= value(found, "sixdegrees_worker_heartbeat_age_seconds") < 60


def test_it_is_refused_from_another_machine_without_the_token(client):
    response = client.get(URL, REMOTE_ADDR=STRANGER)

    assert response.status_code == 403
    assert b"sixdegrees_http_requests_total" not in response.content


def test_a_local_proxy_does_not_make_strangers_local(client):
    response = client.get(URL, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=STRANGER)

    assert response.status_code == 403


@pytest.mark.parametrize(
    "header", ["X-Client-IP", "X-Real-IP", "Forwarded", "True-Client-IP", "CF-Connecting-IP", "X-Cluster-Client-IP"]
)
def test_no_forwarding_header_makes_a_relayed_stranger_local(client, header):
    # A local proxy that passes the visitor on in any header of its choosing: the loopback peer is the proxy.
    response = client.get(URL, REMOTE_ADDR="127.0.0.1", headers={header: STRANGER})

    assert response.status_code == 403


def test_only_the_configured_proxy_header_names_the_caller(client, settings):
    settings.TRUSTED_PROXY_HEADER = "X-Real-IP"

    relayed_stranger = client.get(URL, REMOTE_ADDR="127.0.0.1", headers={"X-Real-IP": STRANGER})
    # A stranger writing another header (or a loopback address) through the proxy changes nothing.
    spoofed = client.get(URL, REMOTE_ADDR="127.0.0.1", headers={"X-Real-IP": STRANGER, "X-Client-IP": "127.0.0.1"})
    local_through_proxy = client.get(URL, REMOTE_ADDR="127.0.0.1", headers={"X-Real-IP": "127.0.0.1"})

    assert (relayed_stranger.status_code, spoofed.status_code) == (403, 403)
    assert local_through_proxy.status_code == 200


def test_the_proxy_header_is_believed_only_from_a_trusted_proxy(client, settings):
    settings.TRUSTED_PROXY_HEADER = "X-Forwarded-For"
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]

    # Straight from a stranger, claiming to be this machine.
    direct = client.get(URL, REMOTE_ADDR=STRANGER, headers={"X-Forwarded-For": "127.0.0.1"})
    # Through the proxy, with the claim written first and the proxy's own entry appended.
    relayed = client.get(URL, REMOTE_ADDR="10.1.2.3", headers={"X-Forwarded-For": f"127.0.0.1, {STRANGER}"})

    assert (direct.status_code, relayed.status_code) == (403, 403)


@pytest.mark.parametrize("address", ["127.0.0.1", "::1"])
def test_it_answers_this_machine(client, address):
    assert client.get(URL, REMOTE_ADDR=address).status_code == 200


def test_the_bearer_token_lets_another_machine_in(client, settings):
    settings.METRICS_TOKEN = "m3trics-t0ken-for-prometheus"

    allowed = client.get(URL, REMOTE_ADDR=STRANGER, headers={"Authorization": "Bearer m3trics-t0ken-for-prometheus"})
    wrong = client.get(URL, REMOTE_ADDR=STRANGER, headers={"Authorization": "Bearer guess"})
    missing = client.get(URL, REMOTE_ADDR=STRANGER)

    assert allowed.status_code == 200
    assert b"sixdegrees_http_requests_total" in allowed.content
    assert (wrong.status_code, missing.status_code) == (403, 403)


def test_no_token_configured_means_no_token_works(client, settings):
    settings.METRICS_TOKEN = ""

    response = client.get(URL, REMOTE_ADDR=STRANGER, headers={"Authorization": "Bearer "})

    assert response.status_code == 403


def test_only_get(client):
    assert client.post(URL).status_code == 405


def test_the_backup_age_is_exposed_when_there_is_one(client, settings, tmp_path):
    from sixdegrees.ops.tests.test_status_command import write_backup

    settings.BACKUP_DIR = tmp_path
    write_backup(tmp_path, timezone.now() - dt.timedelta(minutes=30))

    found = samples(client.get(URL))

    assert 1700 < value(found, "sixdegrees_backup_age_seconds") < 1900


def test_a_broken_counter_never_fails_the_request(client, monkeypatch):
    from sixdegrees.ops import metrics

    def full_disk(**labels):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(metrics.REQUESTS, "labels", full_disk)

    assert client.get("/api/health").status_code in (200, 503)
