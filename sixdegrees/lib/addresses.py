"""Which email addresses the service accepts: those its mailer can actually send to.

Django's validate_email follows RFC 5322 and lets through a quoted local part
(`"quoted"@example.org`), a domain literal (`user@[192.0.2.1]`) and `localhost`. SMTP relays
such as Gmail refuse all three, so a campaign started with one would fail at its first email;
refusing them at the door gives the person the same clear field error as any other typo.
"""

from __future__ import annotations

import re

from django.core.validators import EmailValidator
from django.utils.deconstruct import deconstructible


@deconstructible
class SendableEmailValidator(EmailValidator):
    # A dot-atom local part only (RFC 5322 §3.4.1 without the quoted-string form).
    user_regex = re.compile(r"^[-!#$%&'*+/=?^_`{}|~0-9A-Z]+(\.[-!#$%&'*+/=?^_`{}|~0-9A-Z]+)*\Z", re.IGNORECASE)

    def __init__(self) -> None:
        super().__init__(allowlist=[])  # no `localhost`: a domain name with a dot and a real TLD

    def validate_domain_part(self, domain_part: str) -> bool:
        return bool(self.domain_regex.match(domain_part))  # no [IP] literals


validate_sendable_email = SendableEmailValidator()
