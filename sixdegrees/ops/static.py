"""Static files in production: collected before the first request, and checked by `/api/health`.

Production pages name their CSS, JS and images by content hash (`base.3f2a….css`) through a
manifest, so browsers can cache them forever and still get the new ones after an upgrade. That
manifest must exist before the first page renders, or every page is a 500. Serving without a
manifest would remove the failure but also the cache-busting (after a deploy, browsers would keep
old CSS/JS for as long as they cached it), so `up` and `serve` collect instead. Collecting hashes
and compresses ~600 files (a few seconds), so it is skipped when the source files (names, sizes,
modification times) are the ones last collected and the manifest is there: a restart costs a
directory listing.
"""

from __future__ import annotations

import hashlib
import re
import time
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.core.management import call_command
from django.utils.module_loading import import_string

# A running web process holds the manifest it loaded at start, so collecting alone does not help it.
_FIX = "restart the web server (`sixdegrees serve` and `up` collect static files as they start)"
_STATIC_TAG = re.compile(r"""{%\s*static\s+["']([^"']+)["']""")


def uses_manifest() -> bool:
    backend = import_string(settings.STORAGES["staticfiles"]["BACKEND"])
    return issubclass(backend, ManifestFilesMixin)


FINGERPRINT_NAME = ".sixdegrees-collected"


def source_fingerprint() -> str:
    """What collecting would read: every source file's name, size and modification time."""
    digest = hashlib.sha256(settings.STORAGES["staticfiles"]["BACKEND"].encode())
    for finder in finders.get_finders():
        for path, storage in sorted(finder.list([]), key=lambda item: item[0]):
            info = Path(storage.path(path)).stat()
            digest.update(f"\0{path}\0{info.st_size}\0{info.st_mtime_ns}".encode())
    return digest.hexdigest()


def collect_static() -> float | None:
    """Collect static files into STATIC_ROOT when pages need the manifest.

    Returns the seconds it took, 0.0 when it was already done, None when not needed (development).
    """
    if not uses_manifest():
        return None  # development serves straight from the package
    started = time.monotonic()
    root = Path(settings.STATIC_ROOT)
    stamp = root / FINGERPRINT_NAME
    fingerprint = source_fingerprint()
    manifest = root / staticfiles_storage.manifest_name  # type: ignore[attr-defined]
    if manifest.is_file() and stamp.is_file() and stamp.read_text(encoding="utf-8") == fingerprint:
        return 0.0
    call_command("collectstatic", interactive=False, verbosity=0)
    stamp.write_text(fingerprint, encoding="utf-8")
    return time.monotonic() - started


@lru_cache(maxsize=1)
def static_names() -> tuple[str, ...]:
    """Every file our own templates name with `{% static '…' %}` (the pages' needs, read once)."""
    names: set[str] = set()
    for template in sorted(Path(settings.BASE_DIR).glob("**/templates/**/*.html")):
        names.update(_STATIC_TAG.findall(template.read_text(encoding="utf-8")))
    return tuple(sorted(names))


def static_problem() -> str | None:
    """Why a page would fail or lose its styling right now, or None when every file it names resolves."""
    manifest = uses_manifest()
    for name in static_names():
        if not manifest:
            if finders.find(name) is None:
                return f"the static file {name} is missing"
            continue
        try:
            stored = staticfiles_storage.stored_name(name)  # type: ignore[attr-defined]  # what `{% static %}` does on every page
        except ValueError:
            return f"{name} is not in the static files manifest; {_FIX}"
        if not Path(staticfiles_storage.path(stored)).is_file():
            return f"{stored} is missing from the static files; {_FIX}"
    return None
