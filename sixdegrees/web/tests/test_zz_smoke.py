import pytest
from django.test import Client
from sixdegrees.conftest import INTAKE, post_json
pytestmark = pytest.mark.django_db(transaction=True)
def test_smoke(alice):
    c = Client(); c.force_login(alice)
    for url in ["/", "/intake", "/dashboard", "/privacy", "/contact", "/signin", "/signin/link/abc", "/nope", "/dashboard?tab=settings", "/dashboard?tab=credits"]:
        r = c.get(url); print(url, r.status_code, len(r.content))
        assert r.status_code in (200, 404), r.content[:3000]
    cid = post_json(c, "/api/intake", INTAKE).json()["campaign_id"]
    for url in [f"/dashboard?campaign={cid}", f"/dashboard/live?campaign={cid}", "/dashboard"]:
        r = c.get(url); print(url, r.status_code, len(r.content))
        assert r.status_code == 200
    open("/tmp/dash.html","wb").write(c.get(f"/dashboard?campaign={cid}").content)
    r = c.post("/intake", {"user_name": "x"}); print("post", r.status_code)
