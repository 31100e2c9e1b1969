"""Settings for the test suite: the real settings, with a throw-away data dir and inline tasks."""

import os
import tempfile

os.environ["SIXDEGREES_ENV"] = "test"
os.environ.setdefault("SIXDEGREES_DATA_DIR", tempfile.mkdtemp(prefix="sixdegrees-test-"))

from sixdegrees.settings import *  # noqa: F403
from sixdegrees.settings import HUEY

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"}}
# Tasks run inline, in the test's transaction; tests of the real consumer start one explicitly.
HUEY = {**HUEY, "immediate": True}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Service mail (sign-in codes, notices) collects in sixdegrees.mail.service.outbox, like Django's mail.outbox.
SERVICE_MAIL_TRANSPORT = "memory"
