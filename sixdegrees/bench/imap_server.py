"""A throw-away Dovecot for the mailbox-scan benchmark (the test suite starts its own the same way).

Plain IMAP on a free loopback port, one user, Maildir storage in a temporary directory, Sent
flagged `\\Sent` (RFC 6154). Dovecot drops to the mail user's uid (65534), so it runs as root or
not at all: the benchmark says so instead of measuring nothing.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

USER, PASSWORD = "owner@bench.example", "bench-imap-password-1"
CONF = """protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:~/Maildir
namespace inbox {{
  inbox = yes
  mailbox Sent {{
    auto = subscribe
    special_use = \\Sent
  }}
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {root}/users
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
"""


@dataclass(frozen=True)
class ImapServer:
    host: str
    port: int
    user: str
    password: str


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def dovecot() -> Iterator[ImapServer]:
    binary = shutil.which("dovecot") or ("/usr/sbin/dovecot" if Path("/usr/sbin/dovecot").exists() else None)
    if binary is None:
        raise SystemExit("the scan benchmark needs Dovecot (apt-get install dovecot-imapd)")
    # Not a private temp dir: Dovecot's auth process runs as its own user and must read the users file.
    root = Path(tempfile.mkdtemp(prefix="sixdegrees-bench-dovecot-"))
    root.chmod(0o755)
    for sub in ("mail", "state", "run"):
        (root / sub).mkdir()
    shutil.chown(root / "mail", 65534, 65534)
    port = _free_port()
    (root / "users").write_text(f"{USER}:{{PLAIN}}{PASSWORD}:65534:65534::{root}/mail/user\n")
    (root / "dovecot.conf").write_text(CONF.format(root=root, port=port))
    process = subprocess.Popen(
        [binary, "-F", "-c", str(root / "dovecot.conf")], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    process.kill()
                    _out, err = process.communicate(timeout=5)
                    raise SystemExit(f"Dovecot did not start: {err.decode(errors='replace')[-300:]}") from None
                time.sleep(0.02)
        yield ImapServer("127.0.0.1", port, USER, PASSWORD)
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(root, ignore_errors=True)


__all__ = ["ImapServer", "dovecot"]
