"""The earlier deployment's smoke test, against the real service started by `sixdegrees up`:
POST /api/intake with the six fields, then GET /api/campaign/<id> in the same session reaches
`ready` within seconds (the worker, not the request, makes the plan)."""

from __future__ import annotations

import http.cookiejar
import json
import time
import urllib.request

import pytest

from sixdegrees.conftest import INTAKE
from sixdegrees.ops.tests.test_up_command import up  # noqa: F401  (the fixture)

pytestmark = pytest.mark.slow


def test_intake_then_ready_within_seconds(up):  # noqa: F811
    up.wait_healthy()
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    base = f"http://127.0.0.1:{up.port}"

    started = time.monotonic()
    request = urllib.request.Request(
        f"{base}/api/intake",
        data=json.dumps(INTAKE).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with opener.open(request, timeout=10) as response:
        body = json.loads(response.read())
    answered_in = time.monotonic() - started
    assert body["success"] is True and body["campaign_id"].startswith("camp_")
    assert answered_in < 3, f"intake took {answered_in:.2f} s"

    deadline = time.monotonic() + 20
    status = None
    while time.monotonic() < deadline:
        with opener.open(f"{base}/api/campaign/{body['campaign_id']}", timeout=10) as response:
            campaign = json.loads(response.read())
        status = campaign["status"]
        if status != "processing":
            break
        time.sleep(0.2)
    assert status == "ready", up.output()
    assert len(campaign["paths"]) >= 2 and campaign["emails"]

    # Another browser (no session cookie) cannot read it.
    try:
        urllib.request.urlopen(f"{base}/api/campaign/{body['campaign_id']}", timeout=10)
        pytest.fail("a stranger read the campaign")
    except urllib.error.HTTPError as exc:
        assert exc.code == 404
