"""Fixtures for the outreach tests: the real mail servers in servers.py (aiosmtpd, Dovecot)."""

from sixdegrees.outreach.tests.servers import dovecot, dovecot_server, smtp_server, tls_cert  # noqa: F401
