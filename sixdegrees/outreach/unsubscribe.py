"""Unsubscribe links: a signed token per recipient, a page that asks, and RFC 8058 one-click.

`GET /unsubscribe/<token>` shows a confirmation page in the recipient's language (the campaign's
language); `POST` — from that page's button or from a mail client's one-click unsubscribe — adds
the address to the suppression list. No account or login: the signature is the proof.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from sixdegrees.outreach.models import EmailOutreach, Suppression

SALT = "sixdegrees.outreach.unsubscribe"


def make_token(address: str, email_id: str = "") -> str:
    payload = {"a": address.strip().lower()}
    if email_id:
        payload["e"] = email_id
    return signing.Signer(salt=SALT).sign_object(payload, compress=True)


def read_token(token: str) -> dict[str, str] | None:
    try:
        payload = signing.Signer(salt=SALT).unsign_object(token)
    except (signing.BadSignature, ValueError):
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("a"), str):
        return None
    return payload


def url_for(address: str, email_id: str = "") -> str:
    """The absolute link for a message header (a worker has no request, so SITE_URL)."""
    return settings.SITE_URL + reverse("unsubscribe", args=[make_token(address, email_id)])


def suppress(address: str, detail: str = "") -> bool:
    """Add the address to the suppression list; True when it was not there yet."""
    address = address.strip().lower()
    if Suppression.is_suppressed(address):
        return False
    try:
        Suppression.objects.create(email=address, reason=Suppression.Reason.UNSUBSCRIBED, detail=detail)
    except IntegrityError:  # two clicks at once
        return False
    return True


def _language(request: HttpRequest, email: EmailOutreach | None) -> str:
    codes = {code for code, _name in settings.LANGUAGES}
    if email is not None and email.campaign.language in codes:
        return email.campaign.language
    return translation.get_language_from_request(request)


@csrf_exempt  # mail clients POST here without a session; the signed token is the authority
@require_http_methods(["GET", "POST"])
def unsubscribe_view(request: HttpRequest, token: str) -> HttpResponse:
    payload = read_token(token)
    email = None
    if payload and payload.get("e"):
        email = EmailOutreach.objects.select_related("campaign").filter(id=payload["e"]).first()
    with translation.override(_language(request, email)):
        if payload is None:
            return render(request, "outreach/unsubscribe.html", {"state": "invalid"}, status=404)
        address = payload["a"]
        context = {
            "address": address,
            "sender": email.campaign.user_name if email is not None else "",
            "language": translation.get_language(),
        }
        if request.method == "POST":
            one_click = request.POST.get("List-Unsubscribe") == "One-Click"
            suppress(
                address, detail=f"{'one-click' if one_click else 'unsubscribe page'}; email {payload.get('e', '-')}"
            )
            return render(request, "outreach/unsubscribe.html", {**context, "state": "done"})
        return render(request, "outreach/unsubscribe.html", {**context, "state": "confirm"})
