"""Real mail servers for the outreach tests, on loopback ports: aiosmtpd (STARTTLS + AUTH) and Dovecot.

Import the fixtures into a test module (`from sixdegrees.outreach.tests.servers import smtp_server`).
The SMTP handler records every accepted message and can be scripted to answer with failures
("421 …", "550 …") or to drop the connection; `on_accept` lets a test copy each accepted message
into a Dovecot Sent folder, as Gmail does.
"""

from __future__ import annotations

import collections
import contextlib
import datetime
import email
import imaplib
import ipaddress
import logging
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email import policy
from pathlib import Path
from typing import Any

import pytest
import time_machine
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from sixdegrees.bench import imap_server
from sixdegrees.conftest import free_port, need_service

SMTP_USER = "sender@example.test"
SMTP_PASSWORD = "app-password-1"
DROP = "drop"  # a scripted step that closes the connection instead of answering


@pytest.fixture(scope="session")
def tls_cert(tmp_path_factory) -> tuple[Path, Path]:
    """A self-signed certificate for localhost / 127.0.0.1 (the client trusts it as its CA file)."""
    openssl = shutil.which("openssl")
    need_service(openssl is not None, "openssl")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            *(openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert)),
            *("-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    content: bytes

    @property
    def message(self) -> email.message.EmailMessage:
        return email.message_from_bytes(self.content, policy=policy.default)  # type: ignore[return-value]

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"])


@dataclass
class Recorder:
    """The aiosmtpd handler: accepts, records, and plays scripted failures first."""

    received: list[Received] = field(default_factory=list)
    data_script: collections.deque = field(default_factory=collections.deque)
    rcpt_script: collections.deque = field(default_factory=collections.deque)
    on_accept: Callable[[Received], None] | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        step = self.rcpt_script.popleft() if self.rcpt_script else None
        if step:
            return step
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        step = self.data_script.popleft() if self.data_script else None
        if step == DROP:
            transport = getattr(server, "_original_transport", None) or server.transport
            transport.abort()
            return "250 never heard"
        if step:
            return step
        item = Received(envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.original_content))
        if self.on_accept is not None:
            self.on_accept(item)
        with self.lock:
            self.received.append(item)
        return "250 2.0.0 OK queued"

    def message_ids(self) -> list[str]:
        with self.lock:
            return [item.message_id for item in self.received]


@dataclass
class SmtpServer:
    host: str
    port: int
    cafile: str
    handler: Recorder
    credentials: dict[str, str]
    logins: list[str] = field(default_factory=list)
    controller: Any = None  # the running aiosmtpd Controller, None while stopped
    make_controller: Callable[[], Any] | None = None

    def stop(self) -> None:
        """Take the server down (clients get "connection refused") until `start`."""
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def start(self) -> None:
        """Bring it up again on the same port (an aiosmtpd Controller cannot be restarted: a new one)."""
        if self.controller is None:
            assert self.make_controller is not None
            self.controller = self.make_controller()
            self.controller.start()

    @property
    def received(self) -> list[Received]:
        return self.handler.received


@contextlib.contextmanager
def serving_smtp(cert: Path, key: Path, cafile: Path):
    """An aiosmtpd server (STARTTLS required, then AUTH) with `cert`; clients trust `cafile`."""
    handler = Recorder()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(cert), str(key))
    server = SmtpServer("127.0.0.1", free_port(), str(cafile), handler, {SMTP_USER: SMTP_PASSWORD})

    def authenticate(_server, _session, _envelope, _mechanism, data):
        ok = isinstance(data, LoginPassword) and server.credentials.get(data.login.decode()) == data.password.decode()
        server.logins.append(f"{data.login.decode() if isinstance(data, LoginPassword) else '?'}:{ok}")
        return AuthResult(success=ok, handled=False)

    def make_controller() -> Controller:
        return Controller(
            handler,
            hostname=server.host,
            port=server.port,
            tls_context=context,
            require_starttls=True,
            authenticator=authenticate,
            auth_required=True,
        )

    server.make_controller = make_controller
    # aiosmtpd warns on every login ("Session.login_data is deprecated"): noise from the test server.
    server_log = logging.getLogger("mail.log")
    level = server_log.level
    server_log.setLevel(logging.ERROR)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        server_log.setLevel(level)


@pytest.fixture
def smtp_server(tls_cert):
    cert, key = tls_cert
    with serving_smtp(cert, key, cert) as server:
        yield server


@dataclass(frozen=True)
class PrivateCa:
    """A certificate authority made for the test run, and a server certificate it signed."""

    ca_cert: Path
    server_cert: Path
    server_key: Path


@pytest.fixture(scope="session")
def private_ca(tmp_path_factory) -> PrivateCa:
    """A private CA (as a self-hosted mail server has) and a localhost / 127.0.0.1 certificate from it."""
    folder = tmp_path_factory.mktemp("private-ca")
    # Valid both on the test's clock and on the wall clock, which OpenSSL checks the certificate
    # against even when the session travels (--frozen-date).
    hatch = time_machine.escape_hatch
    wall = hatch.time.time() if hatch.is_travelling() else time.time()
    moments = [datetime.datetime.now(datetime.UTC), datetime.datetime.fromtimestamp(wall, datetime.UTC)]
    start, end = min(moments) - datetime.timedelta(hours=1), max(moments) + datetime.timedelta(days=2)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "SixDegrees Test CA")])
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_cert_sign=True,
                crl_sign=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    found = PrivateCa(folder / "ca.pem", folder / "server.pem", folder / "server-key.pem")
    found.ca_cert.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    found.server_cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    found.server_key.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return found


@pytest.fixture
def private_ca_smtp_server(private_ca):
    """The SMTP server with a certificate from the private CA; `cafile` is the CA, not the server's cert."""
    with serving_smtp(private_ca.server_cert, private_ca.server_key, private_ca.ca_cert) as server:
        yield server


# --- Dovecot (RECIPES §4) ---------------------------------------------------------------------

DOVECOT_USER = SMTP_USER
DOVECOT_CONF = imap_server.CONF  # one Dovecot configuration for the tests and the scan benchmark


@dataclass
class Dovecot:
    host: str
    port: int
    user: str
    password: str
    _client: imaplib.IMAP4 | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def append_sent(self, content: bytes) -> None:
        """Copy an accepted message into Sent, as Gmail does (one connection, reused)."""
        with self._lock:
            if self._client is None:
                self._client = imaplib.IMAP4(self.host, self.port)
                self._client.login(self.user, self.password)
            self._client.append("Sent", r"(\Seen)", imaplib.Time2Internaldate(time.time()), content)

    def sent_count(self) -> int:
        client = imaplib.IMAP4(self.host, self.port)
        try:
            client.login(self.user, self.password)
            _status, data = client.select("Sent", readonly=True)
            return int(data[0])
        finally:
            client.logout()

    def empty_sent(self) -> None:
        client = imaplib.IMAP4(self.host, self.port)
        try:
            client.login(self.user, self.password)
            _status, data = client.select("Sent")
            if int(data[0]):
                client.store("1:*", "+FLAGS.SILENT", r"(\Deleted)")
                client.expunge()
        finally:
            client.logout()

    def close(self) -> None:
        with self._lock:
            if self._client is not None:
                try:
                    self._client.logout()
                except (OSError, imaplib.IMAP4.error):
                    pass
                self._client = None


@pytest.fixture
def dovecot(dovecot_server):
    server = Dovecot(dovecot_server.host, dovecot_server.port, dovecot_server.user, dovecot_server.password)
    server.empty_sent()
    yield server
    server.close()


def _wait_for_port(port: int, deadline: float) -> bool:
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return True
        except OSError:
            time.sleep(0.02)
    return False


@pytest.fixture(scope="session")
def dovecot_server():
    """One Dovecot for the session (it takes a second to stop); `dovecot` empties it per test."""
    binary = shutil.which("dovecot") or ("/usr/sbin/dovecot" if Path("/usr/sbin/dovecot").exists() else None)
    need_service(binary is not None, "dovecot")
    # Not under pytest's tmp_path: Dovecot's auth process runs as its own user and must be able to
    # reach the users file, and /tmp/pytest-of-<user> is private to us.
    root = Path(tempfile.mkdtemp(prefix="sixdegrees-dovecot-"))
    root.chmod(0o755)
    for sub in ("mail", "state", "run"):
        (root / sub).mkdir(parents=True)
    shutil.chown(root / "mail", 65534, 65534)
    port = free_port()
    (root / "users").write_text(f"{DOVECOT_USER}:{{PLAIN}}{SMTP_PASSWORD}:65534:65534::{root}/mail/user\n")
    (root / "dovecot.conf").write_text(DOVECOT_CONF.format(root=root, port=port))
    process = subprocess.Popen(
        [binary, "-F", "-c", str(root / "dovecot.conf")], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        if not _wait_for_port(port, time.monotonic() + 10):
            process.kill()
            _out, err = process.communicate(timeout=5)
            need_service(False, f"dovecot (did not start: {err.decode(errors='replace')[-300:]})")
        yield Dovecot("127.0.0.1", port, DOVECOT_USER, SMTP_PASSWORD)
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(root, ignore_errors=True)


# --- Rows --------------------------------------------------------------------------------------


def make_mailbox(owner, server: SmtpServer, *, imap: Dovecot | None = None, **fields):
    from sixdegrees.outreach.models import Mailbox

    values = {
        "owner": owner,
        "address": SMTP_USER,
        "display_name": "",
        "smtp_host": server.host,
        "smtp_port": server.port,
        "smtp_security": "starttls",
        "smtp_cafile": server.cafile,
        "imap_host": imap.host if imap else "",
        "imap_port": imap.port if imap else 993,
        "imap_security": "none",
        "min_interval_seconds": 0,
        **fields,
    }
    mailbox = Mailbox(**values)
    mailbox.set_password(SMTP_PASSWORD)
    mailbox.save()
    return mailbox


def make_campaign(owner, **fields):
    from sixdegrees.campaigns.models import Campaign

    values = {
        "owner": owner,
        "email": owner.email,
        "user_name": "陈爱丽 Alice Chen",
        "target_name": "Jane Doe",
        "target_company": "Partner at Sequoia",
        "language": "en",
        "status": Campaign.Status.IN_PROGRESS,
        **fields,
    }
    return Campaign.objects.create(**values)


def queue_email(campaign, **fields):
    from django.utils import timezone

    from sixdegrees.outreach.models import EmailOutreach

    now = timezone.now()
    values = {
        "campaign": campaign,
        "recipient_email": "wang@example.org",
        "recipient_name": "王小明",
        "subject": "想请您帮忙引荐 — a quick intro?",
        "body": "王小明您好：\n\n我是陈爱丽。听说您认识 Jane，能否帮忙引荐？\n\n谢谢！\n爱丽",
        "status": "queued",
        "queued_at": now,
        "next_attempt_at": now,
        **fields,
    }
    return EmailOutreach.objects.create(**values)
