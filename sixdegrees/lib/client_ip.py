"""The address of the client behind a request: the one answer rate limits, /metrics and the logs use.

By default the client is the socket peer (REMOTE_ADDR) and every forwarding header is ignored,
because any caller can write `X-Forwarded-For: 127.0.0.1`. A deployment behind a reverse proxy
names the header its proxy sets (SIXDEGREES_TRUSTED_PROXY_HEADER) and the proxy's own addresses
(SIXDEGREES_TRUSTED_PROXIES); the header is read only on requests that come from one of those.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

# Headers that proxies and CDNs use to pass the caller's address on. A request that carries one
# was relayed, so on its own its loopback peer address says nothing about who is calling.
FORWARDING_HEADERS = (
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_REAL_IP",
    "HTTP_FORWARDED",
    "HTTP_X_CLIENT_IP",
    "HTTP_CLIENT_IP",
    "HTTP_TRUE_CLIENT_IP",
    "HTTP_CF_CONNECTING_IP",
    "HTTP_FASTLY_CLIENT_IP",
    "HTTP_X_CLUSTER_CLIENT_IP",
    "HTTP_X_ORIGINAL_FORWARDED_FOR",
)
# django-ratelimit needs some address; a peer without one (a Unix socket) counts as this.
UNKNOWN = "0.0.0.0"  # noqa: S104  (an address to count by, never one to bind to)

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def meta_key(header: str) -> str:
    """`X-Forwarded-For` → `HTTP_X_FORWARDED_FOR`, the name Django gives it in request.META."""
    return "HTTP_" + header.strip().upper().replace("-", "_")


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(p, strict=False) for p in proxies)


def _parse(value: str) -> Address | None:
    """One address as proxies write it: `192.0.2.1`, `192.0.2.1:4711`, `[2001:db8::1]:4711`, `for="…"`."""
    value = value.strip().strip('"')
    if value.lower().startswith("for="):
        value = value[4:].strip().strip('"')
    if value.startswith("["):
        value = value[1:].split("]", 1)[0]
    elif value.count(":") == 1:
        value = value.split(":", 1)[0]
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def _hops(header_value: str) -> list[str]:
    hops = []
    for element in header_value.split(","):
        # RFC 7239 `Forwarded: for=192.0.2.1;proto=https`: only the for= pair names the client.
        parts = [p for p in element.split(";") if p.strip().lower().startswith("for=")] or [element]
        hops.append(parts[0])
    return hops


def _trusted(address: Address | None, networks: tuple[Network, ...]) -> bool:
    return address is not None and any(address in network for network in networks)


def trusted_header() -> str:
    """The request.META name of the configured proxy header, or '' when none is trusted."""
    header = getattr(settings, "TRUSTED_PROXY_HEADER", "")
    return meta_key(header) if header else ""


def client_ip(request: HttpRequest) -> str:
    """The caller's address as a string (always a valid IP address)."""
    peer_text = request.META.get("REMOTE_ADDR") or ""
    peer = _parse(peer_text)
    header = trusted_header()
    networks = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ())))
    if header and _trusted(peer, networks) and request.META.get(header):
        # Each proxy appends the address it saw; walk back from the nearest and stop at the first
        # hop that is not one of ours (anything left of it was written by the caller).
        for hop in reversed(_hops(request.META[header])):
            address = _parse(hop)
            if address is None:
                break  # a hop we cannot read: do not trust what is left of it
            if not _trusted(address, networks):
                return str(address)
            peer = address
    return str(peer) if peer is not None else UNKNOWN


def is_direct_local_call(request: HttpRequest) -> bool:
    """The caller is this machine itself, not a visitor relayed by a proxy on it."""
    if not trusted_header() and any(request.META.get(name) for name in FORWARDING_HEADERS):
        # No proxy is configured, yet the request was relayed: its loopback peer is a proxy
        # we were not told about, and the visitor behind it could be anyone.
        return False
    try:
        return ipaddress.ip_address(client_ip(request)).is_loopback
    except ValueError:
        return False
