"""Where a mail server is and how to log in to it: shared by the SMTP and IMAP modules."""

from __future__ import annotations

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
    context = ssl.create_default_context()
    if cafile:
        context.load_verify_locations(cafile=cafile)
    return context
