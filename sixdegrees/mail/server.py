"""Where a mail server is and how to log in to it, and the TLS context: shared by SMTP and IMAP."""

from __future__ import annotations

import functools
import os
import socket
import ssl
from dataclasses import dataclass


@dataclass(frozen=True)
class ServerSettings:
    host: str
    port: int
    security: str  # starttls | ssl | none
    username: str
    password: str
    cafile: str = ""
    timeout: float = 30

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"


def tls_context(cafile: str = "") -> ssl.SSLContext:
    """The client TLS context for servers trusted by the system store plus `cafile` (if given).

    Loading the CA store takes ~27 ms, so one context serves every connection (contexts are safe
    to share between threads). The key includes the file's modification time: a renewed CA file
    is picked up without a restart.
    """
    return _context(cafile, _mtime(cafile))


def _mtime(cafile: str) -> int:
    if not cafile:
        return 0
    try:
        return os.stat(cafile).st_mtime_ns
    except OSError:
        return -1  # a missing file fails in load_verify_locations, with its own words


@functools.lru_cache(maxsize=16)
def _context(cafile: str, _mtime_ns: int) -> ssl.SSLContext:
    context = ssl.create_default_context()
    if cafile:
        context.load_verify_locations(cafile=cafile)
    return context


def network_words(exc: BaseException) -> str:
    """A network or TLS failure in plain words, the same for SMTP and IMAP."""
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"the server's certificate is not trusted ({exc.verify_message})"
    if isinstance(exc, ssl.SSLError):
        return f"the secure connection failed ({exc.reason or exc})"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, TimeoutError | socket.timeout):
        return "the server did not answer in time"
    if isinstance(exc, socket.gaierror):
        return "the server's name could not be found"
    return str(exc) or type(exc).__name__
