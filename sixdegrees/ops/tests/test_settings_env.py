"""Settings from the environment fail closed, and production refuses unsafe values."""

from __future__ import annotations

import secrets
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from sixdegrees.lib.env import env_bool, env_choice, env_int, env_list, env_str
from sixdegrees.ops.tests.helpers import ROOT, subprocess_env

VAR = "SIXDEGREES_TEST_SETTING"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1", True), ("true", True), ("YES", True), (" on ", True), ("0", False), ("off", False), ("", False)],
)
def test_env_bool_reads_the_usual_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv(VAR, raw)
    assert env_bool(VAR, default=not expected) is expected


def test_env_bool_uses_the_default_only_when_unset(monkeypatch):
    monkeypatch.delenv(VAR, raising=False)
    assert env_bool(VAR, default=True) is True


@pytest.mark.parametrize("raw", ["yes-please", "2", "enabled"])
def test_env_bool_refuses_anything_else(monkeypatch, raw):
    monkeypatch.setenv(VAR, raw)
    with pytest.raises(ImproperlyConfigured, match=rf"{VAR}.*{raw}"):
        env_bool(VAR)


def test_env_int_reads_whole_numbers(monkeypatch):
    monkeypatch.setenv(VAR, " 42 ")
    assert env_int(VAR, 7) == 42
    monkeypatch.setenv(VAR, "")
    assert env_int(VAR, 7) == 7


@pytest.mark.parametrize(
    ("raw", "message"),
    [("ten", "a whole number"), ("4.5", "a whole number"), ("0", "at least 1"), ("1000", "at most 100")],
)
def test_env_int_refuses_bad_values(monkeypatch, raw, message):
    monkeypatch.setenv(VAR, raw)
    with pytest.raises(ImproperlyConfigured, match=rf"{VAR} must be {message}"):
        env_int(VAR, 7, minimum=1, maximum=100)


def test_env_choice_refuses_unknown_values(monkeypatch):
    monkeypatch.setenv(VAR, "staging")
    with pytest.raises(ImproperlyConfigured, match=f"{VAR} must be one of development, production"):
        env_choice(VAR, ("development", "production"), "development")


def test_env_list_splits_on_commas(monkeypatch):
    monkeypatch.setenv(VAR, "example.com, www.example.com,,")
    assert env_list(VAR) == ["example.com", "www.example.com"]


def test_env_str_prefers_a_file(monkeypatch, tmp_path):
    secret_file = tmp_path / "key"
    secret_file.write_text("from-the-file\n")
    monkeypatch.setenv(VAR, "from-the-environment")
    monkeypatch.setenv(f"{VAR}_FILE", str(secret_file))
    assert env_str(VAR) == "from-the-file"
    monkeypatch.setenv(f"{VAR}_FILE", str(tmp_path / "missing"))
    with pytest.raises(ImproperlyConfigured, match=f"{VAR}_FILE"):
        env_str(VAR)


def production_env(tmp_path, **overrides: str) -> dict[str, str]:
    good = {
        "SIXDEGREES_ENV": "production",
        "SIXDEGREES_SECRET_KEY": secrets.token_urlsafe(45),  # 60 characters
        "SIXDEGREES_ALLOWED_HOSTS": "example.com",
        "SITE_URL": "https://example.com",
    }
    env = subprocess_env(tmp_path / "data", **{**good, **overrides})
    for name, value in overrides.items():
        if value is None:
            del env[name]
    return env


def import_settings(tmp_path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "import sixdegrees.settings"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_good_production_settings_import(tmp_path):
    result = import_settings(tmp_path, production_env(tmp_path))
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        pytest.param({"SIXDEGREES_DEBUG": "1"}, "SIXDEGREES_DEBUG must be off", id="debug-on"),
        pytest.param({"SIXDEGREES_DEBUG": "yes-please"}, "SIXDEGREES_DEBUG must be true or false", id="debug-odd"),
        pytest.param({"SIXDEGREES_SECRET_KEY": None}, "SIXDEGREES_SECRET_KEY must be set", id="no-key"),
        pytest.param({"SIXDEGREES_SECRET_KEY": ""}, "SIXDEGREES_SECRET_KEY must be set", id="empty-key"),
        pytest.param(
            {"SIXDEGREES_SECRET_KEY": "too-short-0123456789"},
            "SIXDEGREES_SECRET_KEY must be a random value of at least 50 characters",
            id="short-key",
        ),
        pytest.param(
            {"SIXDEGREES_SECRET_KEY": "a" * 60}, "SIXDEGREES_SECRET_KEY must be a random value", id="same-char-key"
        ),
        pytest.param(
            {"SIXDEGREES_SECRET_KEY": "django-insecure-" + "x1y2z3" * 10},
            "SIXDEGREES_SECRET_KEY must be a random value",
            id="insecure-key",
        ),
        pytest.param({"SIXDEGREES_ALLOWED_HOSTS": None}, "SIXDEGREES_ALLOWED_HOSTS must list", id="no-hosts"),
        pytest.param({"SIXDEGREES_ALLOWED_HOSTS": " , "}, "SIXDEGREES_ALLOWED_HOSTS must list", id="blank-hosts"),
        pytest.param({"SITE_URL": "http://example.com"}, "SITE_URL must be an https:// address", id="http-site"),
    ],
)
def test_production_refuses_unsafe_settings(tmp_path, overrides, named):
    result = import_settings(tmp_path, production_env(tmp_path, **overrides))

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert named in result.stderr


def test_production_passes_django_deploy_checks(tmp_path):
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "check", "--deploy", "--fail-level", "WARNING"],
        env=production_env(tmp_path),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
