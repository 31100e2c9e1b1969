"""An SMTP sink for the send benchmark: aiosmtpd on loopback, STARTTLS and AUTH required.

`python -m sixdegrees.bench.sink PORT CERT KEY USER PASSWORD` listens on 127.0.0.1:PORT, prints
`ready` once it accepts connections, and accepts (then forgets) every message until stdin
closes. It runs in its own process so the server's work does not share a GIL with what is
measured; the product's sender and raw smtplib talk to the same one.
"""

from __future__ import annotations

import logging
import ssl
import sys

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Sink:
    def __init__(self) -> None:
        self.accepted = 0

    async def handle_DATA(self, server, session, envelope) -> str:
        self.accepted += 1
        return "250 2.0.0 OK queued"


def serve(port: int, cert: str, key: str, user: str, password: str) -> None:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)

    def authenticate(_server, _session, _envelope, _mechanism, data) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (data.login.decode(), data.password.decode()) == (user, password)
        return AuthResult(success=ok, handled=False)

    handler = Sink()
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=port,
        tls_context=context,
        require_starttls=True,
        authenticator=authenticate,
        auth_required=True,
    )
    logging.getLogger("mail.log").setLevel(logging.ERROR)  # aiosmtpd warns on every login
    controller.start()
    try:
        print("ready", flush=True)
        sys.stdin.read()  # the benchmark closes our stdin when it is done
    finally:
        controller.stop()
    print(f"accepted {handler.accepted}", flush=True)


if __name__ == "__main__":
    serve(int(sys.argv[1]), *sys.argv[2:6])
