"""Every change made through the Django admin becomes a JSON log line naming who made it.

Two sources, so nothing an operator does in the admin goes unrecorded:

- Django's own LogEntry (written for every add, change and delete through an admin form, and by
  our admin actions through `ModelAdmin.log_change`): a `post_save` receiver copies it to the log.
- Bulk actions from any app's changelist (outreach's "resume sending", billing's "grant credits"…)
  do not write a LogEntry, so the middleware logs each POST that runs one: the action, the model,
  the selected ids and the actor. It never logs the body: admin forms carry passwords.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger("sixdegrees.admin")

_CHANGELIST = re.compile(r"^/admin/(?P<app>[a-z0-9_]+)/(?P<model>[a-z0-9_]+)/$")
_FLAGS = {1: "added", 2: "changed", 3: "deleted"}
MAX_IDS_LOGGED = 100


def actor_of(user: Any) -> dict[str, Any]:
    if user is None or not getattr(user, "is_authenticated", False):
        return {"actor": "anonymous"}
    return {"actor": getattr(user, "email", "") or str(user.pk), "actor_id": str(user.pk)}


def log_entry_saved(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    if not created:
        return
    action = _FLAGS.get(instance.action_flag, str(instance.action_flag))
    model = instance.content_type.model if instance.content_type_id else ""
    logger.info(
        "admin %s %s %s",
        action,
        model,
        instance.object_repr,
        extra={
            "event": "admin_change",
            **actor_of(instance.user),
            "action": action,
            "model": f"{instance.content_type.app_label}.{model}" if instance.content_type_id else "",
            "object_id": instance.object_id,
            "object": instance.object_repr,
            "change": instance.get_change_message(),
        },
    )


class AdminActionLogMiddleware:
    """Logs changelist actions (POST with an `action` field) with the actor and the rows selected."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.method == "POST" and request.path.startswith("/admin/"):
            match = _CHANGELIST.match(request.path)
            action = request.POST.get("action") if match else None
            if match and action:
                selected = request.POST.getlist(ACTION_CHECKBOX_NAME)
                logger.info(
                    "admin action %s on %d %s.%s",
                    action,
                    len(selected),
                    match["app"],
                    match["model"],
                    extra={
                        "event": "admin_action",
                        **actor_of(getattr(request, "user", None)),
                        "action": action,
                        "model": f"{match['app']}.{match['model']}",
                        "selected": selected[:MAX_IDS_LOGGED],
                        "selected_count": len(selected),
                        # 302: done; 200: a confirmation page was shown (the action runs on its POST).
                        "status": response.status_code,
                    },
                )
        return response
