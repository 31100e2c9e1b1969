"""GET /api/health: 200 when the database, worker and data dir are fine, 503 naming what is not."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import OperationalError, connections
from django.utils import timezone

from sixdegrees.ops.health import record_heartbeat
from sixdegrees.ops.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db

URL = "/api/health"


def test_it_is_ok_with_a_fresh_heartbeat(client):
    record_heartbeat("host:1")

    response = client.get(URL)

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "worker": "ok", "data_dir": "ok", "static": "ok"},
    }
    assert response["Cache-Control"] == "no-store"


def test_it_needs_no_login(client, alice):
    record_heartbeat("host:1")
    assert client.get(URL).status_code == 200


def test_it_fails_when_the_heartbeat_is_two_minutes_old(client):
    now = timezone.now()
    with time_machine.travel(now - dt.timedelta(minutes=2), tick=False):
        record_heartbeat("host:1")

    with time_machine.travel(now, tick=False):
        response = client.get(URL)

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail"
    assert body["failed"] == ["worker"]
    assert body["checks"]["worker"] == "the worker's last heartbeat was 120 s ago"
    assert body["checks"]["database"] == "ok"


def test_it_goes_stale_just_past_the_limit(client, settings):
    beat = timezone.now()
    with time_machine.travel(beat, tick=False):
        record_heartbeat("host:1")
    with time_machine.travel(beat + dt.timedelta(seconds=settings.WORKER_STALE_SECONDS), tick=False):
        assert client.get(URL).status_code == 200
    with time_machine.travel(beat + dt.timedelta(seconds=settings.WORKER_STALE_SECONDS + 1), tick=False):
        assert client.get(URL).status_code == 503


def test_it_uses_the_newest_heartbeat(client):
    record_heartbeat("host:1")
    old = timezone.now() - dt.timedelta(hours=3)
    WorkerHeartbeat.objects.create(worker="host:2", beat_at=old, started_at=old)

    assert client.get(URL).status_code == 200


def test_it_fails_when_no_worker_ever_reported(client):
    response = client.get(URL)

    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == ["worker"]
    assert "no worker has reported in" in body["checks"]["worker"]


def test_it_fails_without_a_database_and_hides_the_details(client, monkeypatch):
    record_heartbeat("host:1")

    def broken(*args, **kwargs):
        raise OperationalError("disk I/O error at /srv/secret-path/sixdegrees.sqlite3")

    # Every query opens a cursor through the backend's create_cursor.
    monkeypatch.setattr(type(connections["default"]), "create_cursor", broken)

    response = client.get(URL)

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail"
    assert "database" in body["failed"]
    assert body["checks"]["database"] == "the database cannot be reached"
    assert body["checks"]["data_dir"] == "ok"
    text = response.content.decode()
    assert "Traceback" not in text
    assert "secret-path" not in text
    assert "OperationalError" not in text


def test_it_fails_when_the_data_dir_is_not_writable(client, settings, tmp_path):
    record_heartbeat("host:1")
    # Missing rather than chmod-ed: the suite may run as root, who can write anywhere.
    settings.DATA_DIR = tmp_path / "secret-path"

    response = client.get(URL)

    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == ["data_dir"]
    assert body["checks"]["data_dir"] == "the data directory is not writable"
    assert "secret-path" not in response.content.decode()  # the public page shows no server paths
