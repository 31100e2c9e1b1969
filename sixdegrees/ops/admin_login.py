"""/admin/login/ with a limit on password guesses, per IP address and per username.

Staff accounts are the only ones with passwords, and Django's admin login would check as many
as anyone sends. Past SIXDEGREES_RATE_LIMIT_ADMIN_LOGIN attempts the password is not even
checked: the answer is a 429 page that says to wait (with Retry-After).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from sixdegrees.lib.client_ip import client_ip
from sixdegrees.lib.ratelimit import RateLimited, enforce, enforce_value

logger = logging.getLogger(__name__)


def admin_login(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        username = str(request.POST.get("username", "")).strip()
        try:
            enforce(request, "admin-login", settings.RATE_LIMIT_ADMIN_LOGIN)
            if username:
                # Per username too, so guesses spread over many addresses still stop.
                enforce_value(request, "admin-login-user", settings.RATE_LIMIT_ADMIN_LOGIN, username)
        except RateLimited:
            logger.warning(
                "admin login throttled",
                extra={"event": "admin_login_throttled", "client_ip": client_ip(request)},
            )
            context = {**admin.site.each_context(request), "title": ""}
            return render(request, "admin/login_throttled.html", context, status=429)
    return admin.site.login(request)
