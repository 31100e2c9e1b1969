"""Sign-in pages and the Settings tab: profile, mailbox, export, delete."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from functools import wraps
from typing import Any, cast
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sixdegrees.accounts.access import get_campaign_for_request
from sixdegrees.accounts.deletion import delete_account
from sixdegrees.accounts.export import export_data
from sixdegrees.accounts.models import User
from sixdegrees.accounts.signin import code_not_sent_error, send_code, sign_in, verify_code, verify_link
from sixdegrees.lib.ratelimit import RateLimited, enforce
from sixdegrees.mail.service import NotSent
from sixdegrees.outreach.mailboxes import owner_mailbox, test_connection
from sixdegrees.outreach.models import Mailbox
from sixdegrees.web import dashboard as board
from sixdegrees.web.forms import CodeForm, DeleteAccountForm, EmailForm, MailboxForm, ProfileForm
from sixdegrees.web.middleware import remember_language
from sixdegrees.web.settings_tab import MAILBOX_REPORT_KEY, settings_forms

logger = logging.getLogger(__name__)


def safe_next(request: HttpRequest, default: str = "") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default or reverse("web:dashboard")


def settings_url(request: HttpRequest) -> str:
    campaign = request.POST.get("campaign") or request.GET.get("campaign") or ""
    query = {"campaign": campaign, "tab": "settings"} if campaign else {"tab": "settings"}
    return reverse("web:dashboard") + "?" + urlencode(query) + "#settings"


def person(request: HttpRequest) -> User:
    """The signed-in person (views below are behind signin_required)."""
    return cast(User, request.user)


def signin_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            query = urlencode({"next": reverse("web:dashboard") + "?tab=settings"})
            return HttpResponseRedirect(reverse("web:signin") + "?" + query)
        return view(request, *args, **kwargs)

    return wrapper


# --- Sign in / out ---------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def signin(request: HttpRequest) -> HttpResponse:
    """Ask for a code by email, then enter it. Works without JavaScript."""
    next_url = safe_next(request)
    step = "email"
    error = ""
    email_form = EmailForm(initial={"email": request.GET.get("email", "")})
    code_form = CodeForm()
    status = 200
    if request.GET.get("email") and request.GET.get("step") == "code":
        step = "code"
        code_form = CodeForm(initial={"email": request.GET["email"]})
    if request.method == "POST" and request.POST.get("step") == "request":
        email_form = EmailForm(request.POST)
        if email_form.is_valid():
            email = email_form.cleaned_data["email"].strip().lower()
            try:
                enforce(request, "signin", settings.RATE_LIMIT_SIGNIN)
            except RateLimited as exc:
                error, status = exc.error, 429
            else:
                user = User.objects.filter(email__iexact=email, is_active=True).first()
                try:
                    if user is not None:
                        with translation.override(user.language):
                            send_code(request, user)
                except NotSent:
                    error, status = code_not_sent_error(), 503  # stored and retried, but say so
                else:
                    # The same answer whether or not the address has an account or a code went out.
                    messages.info(request, _("If that address has campaigns, a sign-in code is on its way."))
                    step = "code"
                    code_form = CodeForm(initial={"email": email})
        else:
            status = 400
    elif request.method == "POST" and request.POST.get("step") == "verify":
        step = "code"
        code_form = CodeForm(request.POST)
        if code_form.is_valid():
            try:
                enforce(request, "signin-verify", settings.RATE_LIMIT_SIGNIN)
            except RateLimited as exc:
                error, status = exc.error, 429
            else:
                result = verify_code(code_form.cleaned_data["email"], code_form.cleaned_data["code"])
                if result.user is not None:
                    sign_in(request, result.user)
                    messages.success(request, _("You are signed in."))
                    return HttpResponseRedirect(next_url)
                error, status = result.error, 400
        else:
            status = 400
    return render(
        request,
        "web/signin.html",
        {
            "step": step,
            "email_form": email_form,
            "code_form": code_form,
            "error": error,
            "next": next_url,
            "email": code_form["email"].value() or "",
            "code_minutes": settings.LOGIN_CODE_MINUTES,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def signin_link(request: HttpRequest, token: str) -> HttpResponse:
    """The emailed link. GET only shows a button: mail scanners that open links do not use it up."""
    if request.method == "POST":
        result = verify_link(token)
        if result.user is not None:
            sign_in(request, result.user)
            messages.success(request, _("You are signed in."))
            return HttpResponseRedirect(reverse("web:dashboard"))
        return render(request, "web/signin_link.html", {"error": result.error}, status=400)
    return render(request, "web/signin_link.html", {"error": ""})


@require_POST
def signout(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, _("You are signed out."))
    return HttpResponseRedirect(reverse("web:landing"))


# --- Settings --------------------------------------------------------------------------------


def _render_settings(request: HttpRequest, **bound: Any) -> HttpResponse:
    campaign = None
    campaign_id = request.POST.get("campaign") or ""
    if campaign_id:
        try:
            campaign = get_campaign_for_request(request, campaign_id)
        except Exception:
            campaign = None
    context = board.page_context(request, campaign)
    context.update(settings_forms(request, **bound))
    context["tab"] = "settings"
    return render(request, "web/dashboard.html", context, status=400)


@require_POST
@signin_required
def save_profile(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST, instance=person(request))
    if not form.is_valid():
        messages.error(request, _("Please check the highlighted fields."))
        return _render_settings(request, profile_form=form)
    # Save only the profile fields: a webhook or a charge may move the balance meanwhile.
    user = form.save(commit=False)
    user.save(update_fields=[*ProfileForm.Meta.fields, "updated_at"])
    translation.activate(user.language)
    messages.success(request, _("Your settings are saved."))
    response = HttpResponseRedirect(settings_url(request))
    remember_language(response, user.language)
    return response


@require_POST
@signin_required
def connect_mailbox(request: HttpRequest) -> HttpResponse:

    form = MailboxForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please check the highlighted fields."))
        return _render_settings(request, mailbox_form=form)
    data = form.cleaned_data
    address = data["address"].strip().lower()
    try:
        with transaction.atomic():
            user = person(request)
            mailbox = Mailbox.objects.filter(owner=user, address=address).first() or Mailbox(
                owner=user, address=address
            )
            mailbox.display_name = user.name
            mailbox.smtp_host = data["smtp_host"].strip()
            mailbox.smtp_port = data["smtp_port"]
            mailbox.smtp_security = data["smtp_security"]
            mailbox.imap_host = data["imap_host"].strip()
            mailbox.imap_port = data["imap_port"]
            mailbox.imap_security = "ssl" if data["imap_port"] == 993 else "starttls"
            mailbox.username = data["username"].strip()
            mailbox.is_active = True
            mailbox.set_password(data["password"])
            mailbox.save()
    except Exception:
        logger.exception("could not store a mailbox", extra={"event": "mailbox_store_failed"})
        messages.error(
            request,
            _("We could not store this mailbox's password safely. The operator needs to set an encryption key."),
        )
        return HttpResponseRedirect(settings_url(request))
    messages.success(request, _("Mailbox connected. Use “Test connection” to check that it works."))
    return HttpResponseRedirect(settings_url(request))


@require_POST
@signin_required
def test_mailbox(request: HttpRequest) -> HttpResponse:

    mailbox = owner_mailbox(person(request).pk)
    if mailbox is None:
        messages.error(request, _("There is no connected mailbox to test."))
        return HttpResponseRedirect(settings_url(request))
    report = test_connection(mailbox)
    request.session[MAILBOX_REPORT_KEY] = {"ok": report.ok, "lines": [line for line in report.lines if line]}
    return HttpResponseRedirect(settings_url(request))


@require_POST
@signin_required
def disconnect_mailbox(request: HttpRequest) -> HttpResponse:

    Mailbox.objects.filter(owner=person(request)).delete()
    messages.success(request, _("Mailbox disconnected. Its password is deleted."))
    return HttpResponseRedirect(settings_url(request))


@require_GET
@signin_required
def export(request: HttpRequest) -> HttpResponse:
    body = json.dumps(export_data(person(request)), ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="sixdegrees-export-{stamp}.json"'
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@signin_required
def delete(request: HttpRequest) -> HttpResponse:
    form = DeleteAccountForm(person(request), request.POST)
    if not form.is_valid():
        messages.error(request, _("Your account was not deleted: the email address did not match."))
        return _render_settings(request, delete_form=form)
    delete_account(person(request))
    logout(request)
    messages.success(request, _("Your account and your campaigns are deleted."))
    return HttpResponseRedirect(reverse("web:landing"))
