"""The "Your network" page: the people someone knows, with the evidence for each strength.

The list is rendered here (`web/_network_list.html`), for the page and for the page's script,
which fetches `/network/list` again after every change, so the markup lives in one template. The
filters are a GET form, so searching works without JavaScript; the changes (correct, hide, remove,
add, import, review) go through the contacts API (network/api.py).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET

from sixdegrees.network import duplicates, listing
from sixdegrees.network.importing import FORMAT_CHOICES, MAX_IMPORT_BYTES
from sixdegrees.network.models import Person
from sixdegrees.network.serialize import pair_json, person_json

PER_PAGE = 25
STRENGTH_LABELS = {
    "": gettext_lazy("Any strength"),
    "strong": gettext_lazy("Strong (0.6 and up)"),
    "medium": gettext_lazy("Medium (0.3 to 0.6)"),
    "weak": gettext_lazy("Weak (under 0.3)"),
    "none": gettext_lazy("No tie (0)"),
}
BASIS_LABELS = {
    "corrected": gettext_lazy("your correction"),
    "measured": gettext_lazy("measured from your mail"),
    "prior": gettext_lazy("from the source alone"),
}
FORMAT_LABELS = {
    "auto": gettext_lazy("Detect from the file"),
    "linkedin": gettext_lazy("LinkedIn (Connections.csv)"),
    "google": gettext_lazy("Google Contacts (CSV)"),
    "outlook": gettext_lazy("Outlook (CSV)"),
    "vcard": gettext_lazy("vCard (.vcf)"),
}


def _filters(request: HttpRequest) -> dict[str, str]:
    strength = request.GET.get("strength", "")
    return {
        "q": request.GET.get("q", "").strip()[: listing.SEARCH_MAX],
        "org": request.GET.get("org", "").strip()[:200],
        "strength": strength if strength in listing.BUCKETS else "",
        "hidden": "only" if request.GET.get("hidden") == "only" else "exclude",
    }


def _list_context(request: HttpRequest) -> dict[str, Any]:
    filters = _filters(request)
    found = listing.find(request.user, **filters).prefetch_related("emails", "phones", "sources")  # type: ignore[arg-type]
    current = Paginator(found, PER_PAGE).get_page(request.GET.get("page", 1))
    contacts = []
    for person in current.object_list:
        item = person_json(person)
        item["basis_label"] = BASIS_LABELS[item["strength_basis"]]
        item["percent"] = round(item["strength"] * 100)
        contacts.append(item)
    query = {key: value for key, value in filters.items() if value and value != "exclude"}
    total = current.paginator.count
    if query:
        summary = ngettext("%(count)s person matches.", "%(count)s people match.", total)
    else:
        summary = ngettext("%(count)s person, strongest first.", "%(count)s people, strongest first.", total)
    summary %= {"count": total}
    heads = Person.objects.filter(owner=request.user).aggregate(  # type: ignore[misc]
        everyone=Count("pk"), hidden=Count("pk", filter=Q(hidden=True))
    )
    everyone, hidden = heads["everyone"], heads["hidden"] if not query else 0
    if hidden:
        # The head count includes them; say why the list is shorter.
        words = ngettext("%(count)s hidden person is not listed.", "%(count)s hidden people are not listed.", hidden)
        summary = f"{summary} {words % {'count': hidden}}"
    return {
        "everyone_label": ngettext("%(count)s person", "%(count)s people", everyone) % {"count": everyone},
        "summary": summary,
        "filters": filters,
        "contacts": contacts,
        "page": current,
        "total": current.paginator.count,
        "filtered": bool(query),
        "next_query": urlencode({**query, "page": current.next_page_number()}) if current.has_next() else "",
        "previous_query": urlencode({**query, "page": current.previous_page_number()})
        if current.has_previous()
        else "",
    }


@require_GET
def page(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return render(request, "web/network.html", {"signed_in": False})
    owner = request.user
    context = _list_context(request)
    context.update(
        {
            "signed_in": True,
            "organisations": listing.organisations(owner),
            "strength_options": list(STRENGTH_LABELS.items()),
            "format_options": [(key, FORMAT_LABELS[key]) for key in FORMAT_CHOICES],
            "pairs": [pair_json(pair) for pair in duplicates.open_pairs(owner)[:50]],
            "limit_mb": MAX_IMPORT_BYTES // 1024 // 1024,
            "js_strings": {
                "importing": _("Importing… %(done)s of %(total)s contacts"),
                "waiting": _("Waiting for the worker to start the import…"),
                "done": _("Import finished."),
                "failed": _("The file was not imported; nothing was changed."),
                "choose": _("Choose a file to import."),
                "network": _("We could not reach SixDegrees. Check your connection and try again."),
                "server": _("Something went wrong on our side. Please try again in a moment."),
                "saved": _("Saved."),
                "added": _("Added to your network."),
                "merged": _("Merged with someone already in your network."),
                "unchanged": _("Already in your network; nothing changed."),
                "review": _("Added; they look like someone already here, so the pair is waiting for your review."),
                "removed": _("Removed from your network."),
                "hidden": _("Hidden: they will not be suggested in your plans."),
                "shown": _("Shown again."),
                "cleared": _("Correction cleared."),
                "merged_pair": _("Merged into one person."),
                "separate_pair": _("Kept as different people."),
                "skipped_line": _("Line %(line)s"),
                "too_big": _("The file is too large: one import takes at most %(limit)s MB.")
                % {"limit": MAX_IMPORT_BYTES // 1024 // 1024},
            },
        }
    )
    return render(request, "web/network.html", context)


@require_GET
def list_part(request: HttpRequest) -> HttpResponse:
    """The list alone, for the page's script to swap in after a change or a new filter."""
    if not request.user.is_authenticated:
        return HttpResponse(status=401)
    response = render(request, "web/_network_list.html", _list_context(request))
    response["Cache-Control"] = "no-store"
    return response
