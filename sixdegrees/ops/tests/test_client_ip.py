"""lib.client_ip: the one client address that rate limits, /metrics and the logs agree on."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from sixdegrees.conftest import post_json
from sixdegrees.lib.client_ip import client_ip

STRANGER = "203.0.113.9"


def request(peer: str, **headers: str):
    return RequestFactory().get("/", REMOTE_ADDR=peer, headers=headers)


def test_by_default_the_socket_peer_is_the_client_whatever_the_headers_say():
    spoofed = request(STRANGER, **{"X-Forwarded-For": "127.0.0.1", "X-Client-IP": "127.0.0.1", "X-Real-IP": "1.2.3.4"})

    assert client_ip(spoofed) == STRANGER


@pytest.mark.parametrize(
    ("header", "value", "expected"),
    [
        ("X-Forwarded-For", "198.51.100.7", "198.51.100.7"),
        ("X-Forwarded-For", f"127.0.0.1, {STRANGER}", STRANGER),  # the caller's claim sits left of the proxy's entry
        ("X-Forwarded-For", f"{STRANGER}, 127.0.0.1", STRANGER),  # two trusted proxies in a row
        ("X-Forwarded-For", "not-an-address", "127.0.0.1"),
        ("X-Real-IP", "[2001:db8::5]:4711", "2001:db8::5"),
        ("X-Real-IP", "198.51.100.7:4711", "198.51.100.7"),
        ("Forwarded", 'for="198.51.100.7:4711";proto=https', "198.51.100.7"),
    ],
)
def test_the_configured_header_from_a_trusted_proxy_names_the_client(settings, header, value, expected):
    settings.TRUSTED_PROXY_HEADER = header

    assert client_ip(request("127.0.0.1", **{header: value})) == expected


def test_another_header_than_the_configured_one_is_ignored(settings):
    settings.TRUSTED_PROXY_HEADER = "X-Real-IP"

    assert client_ip(request("127.0.0.1", **{"X-Client-IP": STRANGER})) == "127.0.0.1"


def test_a_peer_that_is_not_a_trusted_proxy_cannot_use_the_header(settings):
    settings.TRUSTED_PROXY_HEADER = "X-Forwarded-For"
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]

    assert client_ip(request(STRANGER, **{"X-Forwarded-For": "198.51.100.7"})) == STRANGER
    assert client_ip(request("10.9.8.7", **{"X-Forwarded-For": "198.51.100.7"})) == "198.51.100.7"


@pytest.mark.django_db
def test_the_rate_limiter_counts_the_same_address(client, settings):
    """Two visitors behind one proxy get their own limits; a spoofed header gets none of its own."""
    settings.RATE_LIMIT_SIGNIN = "2/h"
    settings.TRUSTED_PROXY_HEADER = "X-Forwarded-For"
    body = {"email": "nobody@example.com"}

    def ask(peer: str, forwarded: str) -> int:
        return post_json(
            client, "/api/auth/request-code", body, REMOTE_ADDR=peer, HTTP_X_FORWARDED_FOR=forwarded
        ).status_code

    first = [ask("127.0.0.1", "198.51.100.1") for _ in range(3)]
    second = [ask("127.0.0.1", "198.51.100.2") for _ in range(2)]
    # Straight to the app, a new made-up forwarding header each time: still one address, still limited.
    direct = [ask(STRANGER, f"192.0.2.{n}") for n in range(3)]

    assert first == [200, 200, 429]
    assert second == [200, 200]
    assert direct == [200, 200, 429]
