"""The mail tests run against the outreach tests' real servers (aiosmtpd with STARTTLS + AUTH)."""

from sixdegrees.outreach.tests.servers import (  # noqa: F401  (fixtures)
    private_ca,
    private_ca_smtp_server,
    smtp_server,
    tls_cert,
)
