"""Passwordless sign-in: a one-time code (and link) emailed to the address.

Using a code proves the person owns the address, which marks it verified. Codes expire after
LOGIN_CODE_MINUTES, work once, and stop working after five wrong guesses. Every path that emails
a code goes through `send_code`, which limits codes per address and per caller.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import login
from django.core import signing
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from sixdegrees.accounts.access import claim_pending_campaigns, session_campaign_ids
from sixdegrees.accounts.models import LoginCode, User
from sixdegrees.lib.ratelimit import exceeded
from sixdegrees.mail import service
from sixdegrees.ops.metrics import count_signin_code_refused

logger = logging.getLogger(__name__)

MAX_FAILED_ATTEMPTS = 5
_LINK_SALT = "sixdegrees.signin-link"


def _hash(code: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), code.encode(), hashlib.sha256).hexdigest()


def find_or_create_user(email: str, name: str = "", language: str = "en") -> tuple[User, bool]:
    email = email.strip().lower()
    user = User.objects.filter(email__iexact=email).first()
    if user:
        return user, False
    user = User.objects.create_user(email, name=name[:100], language=language)
    return user, True


def send_code(request: HttpRequest, user: User) -> bool:
    """Email `user` a sign-in code, unless this caller or this address had enough of them for now.

    The sign-in page, the API and the intake all send codes through here, so the limits hold
    whichever one an abuser picks. Past a limit nothing is sent and the caller is not told: its
    answer stays "a code is on its way", so it learns neither that the account exists nor the count.
    Raises `service.NotSent` when the email could not be sent now (it is retried): the caller
    answers "we could not send the code; try again in a minute" instead.
    """
    if not user.is_active:
        return False
    # The caller's limit first, so one abuser cannot also spend the address's own allowance.
    if exceeded(request, "signin-code-ip", settings.RATE_LIMIT_SIGNIN):
        limit = "ip"
    elif exceeded(request, "signin-code-address", settings.RATE_LIMIT_SIGNIN_CODES, value=user.email):
        limit = "address"
    else:
        _issue_code(user)
        return True
    logger.warning(
        "sign-in code not sent: limit reached",
        extra={"event": "signin_code_limited", "limit": limit, "user_id": user.pk},
    )
    count_signin_code_refused(limit)
    return False


def _issue_code(user: User) -> str:
    """Create a code for `user` and email it (with a one-click link). Returns the code; raises NotSent."""
    code = f"{secrets.randbelow(10**6):06d}"
    with transaction.atomic():
        # A new code replaces any earlier one still waiting.
        LoginCode.objects.filter(user=user, used_at__isnull=True).update(used_at=timezone.now())
        row = LoginCode.objects.create(
            user=user,
            code_hash=_hash(code),
            expires_at=timezone.now() + dt.timedelta(minutes=settings.LOGIN_CODE_MINUTES),
        )
    token = signing.dumps({"id": row.pk, "code": code}, salt=_LINK_SALT)
    link = f"{settings.SITE_URL}/signin/link/{token}"
    service.send(
        "signin-code",
        {"code": code, "minutes": settings.LOGIN_CODE_MINUTES, "link": link},
        to=user.email,
        language=user.language,
        expires_at=row.expires_at,
        replaces_earlier=True,
    )
    logger.info("sign-in code sent", extra={"event": "signin_code_sent", "user_id": user.pk})
    return code


def code_not_sent_error() -> str:
    return _("We could not send the code; try again in a minute.")


@dataclass
class SigninResult:
    user: User | None
    error: str = ""


def verify_code(email: str, code: str) -> SigninResult:
    wrong = _("That code is not right or has expired. Ask for a new one.")
    user = User.objects.filter(email__iexact=email.strip()).first()
    if user is None or not user.is_active:
        return SigninResult(None, wrong)
    row = LoginCode.objects.filter(user=user, used_at__isnull=True).order_by("-created_at").first()
    if row is None or row.expires_at < timezone.now() or row.failed_attempts >= MAX_FAILED_ATTEMPTS:
        return SigninResult(None, wrong)
    if not hmac.compare_digest(row.code_hash, _hash(code.strip())):
        LoginCode.objects.filter(pk=row.pk).update(failed_attempts=row.failed_attempts + 1)
        return SigninResult(None, wrong)
    return _consume(row)


def verify_link(token: str) -> SigninResult:
    wrong = _("This sign-in link has expired or was already used. Ask for a new code.")
    try:
        data = signing.loads(token, salt=_LINK_SALT, max_age=settings.LOGIN_CODE_MINUTES * 60)
    except signing.BadSignature:
        return SigninResult(None, wrong)
    row = LoginCode.objects.filter(pk=data.get("id"), used_at__isnull=True).select_related("user").first()
    if (
        row is None
        or row.expires_at < timezone.now()
        or not hmac.compare_digest(row.code_hash, _hash(str(data.get("code"))))
    ):
        return SigninResult(None, wrong)
    return _consume(row)


def _consume(row: LoginCode) -> SigninResult:
    # Claim the code with a conditional update so two concurrent uses cannot both succeed.
    claimed = LoginCode.objects.filter(pk=row.pk, used_at__isnull=True).update(used_at=timezone.now())
    if claimed != 1:
        return SigninResult(None, _("This code was already used. Ask for a new one."))
    user = row.user
    if not user.email_verified:
        user.email_verified = True
        user.save(update_fields=["email_verified", "updated_at"])
    return SigninResult(user)


def sign_in(request: HttpRequest, user: User) -> None:
    """Sign this browser in as `user` (who just proved the address); its pending campaigns join the account."""
    # Read before login(): signing in over another account's session empties the session.
    made_here = session_campaign_ids(request)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    request.session["language"] = user.language
    claimed = claim_pending_campaigns(user, made_here)
    if claimed:
        logger.info(
            "pending campaigns joined the account",
            extra={"event": "campaigns_claimed", "user_id": user.pk, "campaigns": claimed},
        )
