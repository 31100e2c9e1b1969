"""The one module that talks IMAP (through imapclient). Read-only, always.

The sender uses it to look for a Message-ID in the Sent folder before re-sending an email whose
first attempt ended in doubt; "test connection" uses it to log in. The reply watcher builds on the
same `connect()`: folders are selected read-only and messages fetched with BODY.PEEK, so nothing
in a person's mailbox is ever marked read, moved or deleted.
"""

from __future__ import annotations

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError
from imapclient.imapclient import SENT

from sixdegrees.mail.server import ServerSettings, network_words, tls_context

# Where providers keep sent mail when the server does not flag the folder (RFC 6154 SPECIAL-USE).
SENT_FOLDER_NAMES = (
    "[Gmail]/Sent Mail",
    "[Google Mail]/Sent Mail",
    "Sent",
    "Sent Items",
    "Sent Messages",
    "INBOX.Sent",
)


ImapSettings = ServerSettings


class ImapError(Exception):
    def __init__(self, message: str, *, auth: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.auth = auth


def connect(config: ImapSettings) -> IMAPClient:
    """A logged-in client; raises ImapError in plain words."""
    try:
        client = IMAPClient(
            config.host,
            port=config.port,
            ssl=config.security == "ssl",
            ssl_context=tls_context(config.cafile) if config.security != "none" else None,
            timeout=config.timeout,
        )
        if config.security == "starttls":
            client.starttls(tls_context(config.cafile))
    except (OSError, IMAPClientError) as exc:
        raise ImapError(f"could not connect to {config.where}: {network_words(exc)}") from None
    try:
        client.login(config.username, config.password)
    except LoginError as exc:
        _quietly_logout(client)
        detail = exc.args[0].decode("utf-8", "replace") if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        raise ImapError(f"the server refused the password for {config.username} ({detail})", auth=True) from None
    except (OSError, IMAPClientError) as exc:
        _quietly_logout(client)
        raise ImapError(f"login to {config.where} failed: {network_words(exc)}") from None
    return client


def _quietly_logout(client: IMAPClient) -> None:
    try:
        client.logout()
    except (OSError, IMAPClientError):
        try:
            client.shutdown()
        except OSError:
            pass


def check_login(config: ImapSettings) -> tuple[bool, str]:
    try:
        client = connect(config)
    except ImapError as exc:
        if exc.auth:
            return False, f"IMAP: {exc.message}"
        return False, f"IMAP: {exc.message}"
    try:
        folder = find_sent_folder(client)
    except (OSError, IMAPClientError):
        folder = None
    finally:
        _quietly_logout(client)
    sent = f"; Sent folder: {folder}" if folder else "; no Sent folder found"
    return True, f"IMAP: logged in to {config.where} as {config.username}{sent}"


def find_sent_folder(client: IMAPClient) -> str | None:
    try:
        folder = client.find_special_folder(SENT)
    except IMAPClientError:
        folder = None
    if folder:
        return folder
    existing = {name for _flags, _sep, name in client.list_folders()}
    return next((name for name in SENT_FOLDER_NAMES if name in existing), None)


class SentFolder:
    """Looks up Message-IDs in a mailbox's Sent folder over one lazily opened connection."""

    def __init__(self, config: ImapSettings) -> None:
        self.config = config
        self.client: IMAPClient | None = None
        self.folder: str | None = None

    def contains(self, message_id: str) -> bool:
        """True when a message with this Message-ID is in the Sent folder; raises ImapError."""
        try:
            if self.client is None:
                self.client = connect(self.config)
                self.folder = find_sent_folder(self.client)
                if self.folder is None:
                    raise ImapError(f"no Sent folder on {self.config.where}")
                self.client.select_folder(self.folder, readonly=True)
            else:
                self.client.noop()  # see messages appended since the folder was selected
            return bool(self.client.search(["HEADER", "Message-ID", message_id]))
        except ImapError:
            self.close()
            raise
        except (OSError, IMAPClientError) as exc:
            self.close()
            raise ImapError(f"could not search the Sent folder on {self.config.where}: {network_words(exc)}") from None

    def close(self) -> None:
        client, self.client = self.client, None
        if client is not None:
            _quietly_logout(client)
