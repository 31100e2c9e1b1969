"""Sign-in endpoints: ask for a code, use it, sign out, who am I."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import logout
from django.core.exceptions import ValidationError
from django.http import HttpRequest, JsonResponse
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import Router

from sixdegrees.accounts.models import User
from sixdegrees.accounts.signin import code_not_sent_error, send_code, sign_in, verify_code
from sixdegrees.lib.addresses import validate_sendable_email
from sixdegrees.lib.http import BadRequest, json_error, read_json_or_form
from sixdegrees.lib.ratelimit import enforce
from sixdegrees.mail.service import NotSent

router = Router(tags=["accounts"])


def _email_from(data: dict) -> str:
    email = data.get("email")
    if not isinstance(email, str) or not email.strip():
        raise BadRequest(_("Please enter your email address."), fields={"email": _("This field is required.")})
    email = email.strip().lower()
    try:
        validate_sendable_email(email)
    except ValidationError:
        raise BadRequest(
            _("Please enter a valid email address, like name@example.com."),
            fields={"email": _("Please enter a valid email address, like name@example.com.")},
        ) from None
    return email


@router.post("/auth/request-code", summary="Email a one-time sign-in code")
def request_code(request: HttpRequest):
    enforce(request, "signin", settings.RATE_LIMIT_SIGNIN)
    email = _email_from(read_json_or_form(request))
    user = User.objects.filter(email__iexact=email, is_active=True).first()
    if user is not None:
        try:
            with translation.override(user.language):
                send_code(request, user)
        except NotSent:
            # The truth, in the caller's language: the code is stored and retried, but may be late.
            return json_error(code_not_sent_error(), status=503)
    # The same answer whether or not the address has an account or a code went out, so neither can be probed.
    return JsonResponse(
        {"success": True, "message": _("If that address has campaigns, a sign-in code is on its way.")},
        json_dumps_params={"ensure_ascii": False},
    )


@router.post("/auth/verify", summary="Sign in with the emailed code")
def verify(request: HttpRequest):
    enforce(request, "signin-verify", settings.RATE_LIMIT_SIGNIN)
    data = read_json_or_form(request)
    email = _email_from(data)
    code = data.get("code")
    if not isinstance(code, str) or not code.strip():
        raise BadRequest(_("Please enter the code from the email."), fields={"code": _("This field is required.")})
    result = verify_code(email, code)
    if result.user is None:
        raise BadRequest(result.error, fields={"code": result.error})
    sign_in(request, result.user)
    return JsonResponse({"success": True, "email": result.user.email}, json_dumps_params={"ensure_ascii": False})


@router.post("/auth/logout", summary="Sign out of this browser")
def sign_out(request: HttpRequest):
    logout(request)
    return JsonResponse({"success": True})


@router.get("/me", summary="The signed-in person, if any")
def me(request: HttpRequest):
    user = request.user
    if not user.is_authenticated:
        return JsonResponse({"authenticated": False})
    return JsonResponse(
        {
            "authenticated": True,
            "user_id": user.pk,
            "email": user.email,
            "name": user.name,
            "language": user.language,
            "email_verified": user.email_verified,
            "credits_balance": user.credits_balance,
        },
        json_dumps_params={"ensure_ascii": False},
    )
