"""The one module that talks SMTP: a connection that sends messages, and errors as data.

Every failure becomes a `SendError` whose `kind` says what the sender should do with it:

- `transient`: try this email again later (4xx replies, dropped connections, timeouts);
- `permanent`: this email cannot be delivered (5xx about this message or recipient);
- `quota`: the mailbox hit its sending quota (Gmail's "550 5.4.5 Daily user sending quota
  exceeded"), so the mailbox pauses until the next day and the email waits;
- `auth`: the server refused the login (535), so the mailbox pauses until the password changes;
- `connection`: the server could not be reached or its certificate was not trusted; the email
  waits like a transient failure, and the mailbox shows the error.

`ambiguous` marks failures after the message data was handed over: the server may have accepted
it, so the sender looks in the Sent folder before trying again.
"""

from __future__ import annotations

import re
import smtplib
from email.message import EmailMessage

from sixdegrees.mail.server import ServerSettings, network_words, tls_context

KINDS = ("transient", "permanent", "quota", "auth", "connection")
QUOTA_PATTERN = re.compile(r"\b5\.4\.5\b|quota|sending limit|limit exceeded", re.IGNORECASE)


SmtpSettings = ServerSettings


class SendError(Exception):
    def __init__(
        self, message: str, *, kind: str = "transient", code: int | None = None, ambiguous: bool = False
    ) -> None:
        super().__init__(message)
        assert kind in KINDS, kind
        self.message = message
        self.kind = kind
        self.code = code
        self.ambiguous = ambiguous

    @property
    def permanent(self) -> bool:
        return self.kind == "permanent"

    def __str__(self) -> str:
        return self.message


def reply_text(code: int, raw: bytes | str) -> str:
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    text = " ".join(text.split())
    return f"{code} {text}".strip()


def classify(code: int, text: str) -> str:
    """What a reply code (and its words) means for the email and the mailbox."""
    if QUOTA_PATTERN.search(text) and code >= 500:
        return "quota"
    if code in (530, 534, 535):
        return "auth"
    if 400 <= code < 500:
        return "transient"
    return "permanent"


def _network_words(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return "the server closed the connection"
    return network_words(exc)


class SmtpConnection:
    """One logged-in SMTP session, reused for a batch of messages."""

    def __init__(self, config: SmtpSettings) -> None:
        self.config = config
        self.client: smtplib.SMTP | None = None
        self.sent_on_this_connection = 0

    def __enter__(self) -> SmtpConnection:
        self.open()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def open(self) -> None:
        """Connect, secure and log in; raises SendError (connection or auth)."""
        config = self.config
        try:
            if config.security == "ssl":
                client: smtplib.SMTP = smtplib.SMTP_SSL(
                    config.host, config.port, timeout=config.timeout, context=tls_context(config.cafile)
                )
            else:
                client = smtplib.SMTP(config.host, config.port, timeout=config.timeout)
            self.client = client
            client.ehlo()
            if config.security == "starttls":
                client.starttls(context=tls_context(config.cafile))
                client.ehlo()
        except smtplib.SMTPResponseException as exc:
            self.close()
            raise SendError(
                f"could not connect to {config.where}: {reply_text(exc.smtp_code, exc.smtp_error)}",
                kind="connection",
                code=exc.smtp_code,
            ) from None
        except (OSError, smtplib.SMTPException) as exc:
            self.close()
            raise SendError(f"could not connect to {config.where}: {_network_words(exc)}", kind="connection") from None
        if not config.username:
            return
        try:
            client.login(config.username, config.password)
        except smtplib.SMTPAuthenticationError as exc:
            self.close()
            raise SendError(
                f"the server refused the password for {config.username} ({reply_text(exc.smtp_code, exc.smtp_error)})",
                kind="auth",
                code=exc.smtp_code,
            ) from None
        except smtplib.SMTPResponseException as exc:
            self.close()
            kind = classify(exc.smtp_code, str(exc.smtp_error))
            raise SendError(
                f"login to {config.where} failed: {reply_text(exc.smtp_code, exc.smtp_error)}",
                kind="auth" if kind == "auth" else "connection",
                code=exc.smtp_code,
            ) from None
        except (OSError, smtplib.SMTPException) as exc:
            self.close()
            raise SendError(f"login to {config.where} failed: {_network_words(exc)}", kind="connection") from None

    def close(self) -> None:
        client, self.client = self.client, None
        if client is None:
            return
        try:
            client.quit()
        except (OSError, smtplib.SMTPException):
            client.close()

    def send(self, message: EmailMessage, sender: str, recipients: list[str]) -> str:
        """Send one message; return the server's acceptance reply, or raise SendError."""
        if self.client is None:
            self.open()
        client = self.client
        assert client is not None
        data_sent = False
        try:
            code, text = client.mail(sender)
            if code != 250:
                self._failed(code, text, "the server refused the sender")
            for recipient in recipients:
                code, text = client.rcpt(recipient)
                if code not in (250, 251):
                    self._failed(code, text, f"the server refused the recipient {recipient}")
            code, text = client.docmd("data")
            if code != 354:
                self._failed(code, text, "the server refused the message")
            # From here on the server may accept the message even if we never hear its answer.
            data_sent = True
            client.send(_dot_stuffed(message))
            code, text = client.getreply()
            if code != 250:
                data_sent = False  # a reply is a clear answer: not accepted
                self._failed(code, text, "the server refused the message")
        except SendError:
            raise
        except (OSError, smtplib.SMTPException) as exc:
            self.client = None
            client.close()
            raise SendError(f"{_network_words(exc)} while sending", kind="transient", ambiguous=data_sent) from None
        self.sent_on_this_connection += 1
        return reply_text(code, text)

    def _failed(self, code: int, text: bytes, what: str) -> None:
        words = reply_text(code, text)
        kind = classify(code, words)
        if code == 421 or kind in ("quota", "auth"):
            self.close()  # 421 means the server is closing; a paused mailbox stops sending anyway
        else:
            try:
                self.client.rset()  # type: ignore[union-attr]
            except (OSError, smtplib.SMTPException):
                self.close()
        raise SendError(f"{what}: {words}", kind=kind, code=code)


def _dot_stuffed(message: EmailMessage) -> bytes:
    data = message.as_bytes()
    data = re.sub(rb"(?:\r\n|\n|\r(?!\n))", b"\r\n", data)
    if not data.endswith(b"\r\n"):
        data += b"\r\n"
    data = re.sub(rb"(?m)^\.", b"..", data)
    return data + b".\r\n"


def check_login(config: SmtpSettings) -> tuple[bool, str]:
    """Log in and out; say what happened in plain words."""
    connection = SmtpConnection(config)
    try:
        connection.open()
    except SendError as exc:
        if exc.kind == "auth":
            code = f" ({exc.code})" if exc.code else ""
            return False, f"SMTP: the server refused the password{code}"
        return False, f"SMTP: {exc.message}"
    connection.close()
    who = f" as {config.username}" if config.username else ""
    return True, f"SMTP: logged in to {config.where}{who}"
