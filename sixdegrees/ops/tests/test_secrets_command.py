"""`sixdegrees secrets`: what is set and where from (environment, .env, NAME_FILE); never a value."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from sixdegrees.cli import cli
from sixdegrees.cli import ops as _ops_commands  # noqa: F401  (registers the commands)
from sixdegrees.ops.tests.helpers import subprocess_env

ANTHROPIC_KEY = "sk-ant-api03-fromdotenv-QwErTy0123456789"
DOTENV_GMAIL_PASSWORD = "dotenv-gmail-pass-Aa1Bb2"
ENV_GMAIL_PASSWORD = "environ-gmail-pass-Cc3Dd4"
WEBHOOK_SECRET = "whsec_fromdotenv9f8e7d6c5b4a"
METRICS_TOKEN = "metrics-token-in-a-file-77x"
SECRET_KEY = "environment-secret-key-" + "k" * 40 + "-Zz9"
DB_PASSWORD = "pg-pass-Ee5Ff6"
REDIS_PASSWORD = "redis-pass-Gg7Hh8"
VALUES = (
    ANTHROPIC_KEY,
    DOTENV_GMAIL_PASSWORD,
    ENV_GMAIL_PASSWORD,
    WEBHOOK_SECRET,
    METRICS_TOKEN,
    SECRET_KEY,
    DB_PASSWORD,
    REDIS_PASSWORD,
)


@pytest.fixture(scope="module")
def configured(tmp_path_factory):
    """A data dir with a .env file, real environment variables and a NAME_FILE, as an operator has."""
    root = tmp_path_factory.mktemp("secrets")
    env_file = root / ".env"
    env_file.write_text(
        "\n".join(
            [
                f"ANTHROPIC_API_KEY={ANTHROPIC_KEY}",
                f"GMAIL_APP_PASSWORD={DOTENV_GMAIL_PASSWORD}",  # the environment's value wins
                f"STRIPE_WEBHOOK_SECRET={WEBHOOK_SECRET}",
                "GMAIL_ADDRESS=ops@example.com",
                "",
            ]
        ),
        encoding="utf-8",
    )
    token_file = root / "metrics-token"
    token_file.write_text(METRICS_TOKEN + "\n", encoding="utf-8")
    env = subprocess_env(
        root / "data",
        SIXDEGREES_ENV_FILE=str(env_file),
        GMAIL_APP_PASSWORD=ENV_GMAIL_PASSWORD,
        SIXDEGREES_METRICS_TOKEN_FILE=str(token_file),
        SIXDEGREES_SECRET_KEY=SECRET_KEY,
        DATABASE_URL=f"postgres://app:{DB_PASSWORD}@127.0.0.1:1/sixdegrees",
        REDIS_URL=f"redis://default:{REDIS_PASSWORD}@127.0.0.1:1/0",
        STRATEGY_PLANNER="offline",
    )

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "sixdegrees", "secrets", *args],
            env=env,
            cwd=root,
            capture_output=True,
            text=True,
            timeout=60,
        )

    return run("--json"), run()


def test_it_says_where_each_secret_comes_from(configured):
    as_json, _text = configured
    assert as_json.returncode == 0, as_json.stderr
    report = json.loads(as_json.stdout)
    rows = {row["name"]: row for row in report["secrets"]}

    assert {"ANTHROPIC_API_KEY", "STRIPE_WEBHOOK_SECRET", "GMAIL_ADDRESS"} <= set(report["env_file_supplied"])
    assert "GMAIL_APP_PASSWORD" not in report["env_file_supplied"]  # the environment had it first
    assert rows["ANTHROPIC_API_KEY"]["source"] == ".env file"
    assert rows["STRIPE_WEBHOOK_SECRET"]["source"] == ".env file"
    assert rows["GMAIL_APP_PASSWORD"]["source"] == "environment"  # set in both: the environment wins
    assert rows["SIXDEGREES_SECRET_KEY"]["source"] == "environment"
    assert rows["SIXDEGREES_METRICS_TOKEN"]["source"] == (
        "file named by SIXDEGREES_METRICS_TOKEN_FILE (set in the environment)"
    )
    assert rows["DATABASE_URL"]["set"] is True
    assert rows["REDIS_URL"]["set"] is True
    assert rows["SIXDEGREES_ENCRYPTION_KEYS"]["set"] is False
    assert all(row["state"] == "ok" for row in rows.values())


@pytest.mark.parametrize("which", ["json", "text"])
def test_no_value_is_ever_printed(configured, which):
    result = configured[0 if which == "json" else 1]

    assert result.returncode == 0, result.stderr
    printed = result.stdout + result.stderr
    for value in VALUES:
        assert value not in printed
        assert value[4:-4] not in printed  # not even part of one


def test_the_screen_lists_names_and_sources(configured):
    text = configured[1].stdout

    assert "ANTHROPIC_API_KEY" in text and "set, from the .env file" in text
    assert "SIXDEGREES_METRICS_TOKEN" in text and "SIXDEGREES_METRICS_TOKEN_FILE" in text


@pytest.mark.django_db
def test_a_missing_secret_that_something_needs_exits_1(settings, monkeypatch):
    monkeypatch.setattr("sixdegrees.cli.setup_django", lambda: None)
    settings.GMAIL_ADDRESS, settings.GMAIL_APP_PASSWORD = "ops@example.com", ""
    settings.STRIPE_LINK_STARTER, settings.STRIPE_WEBHOOK_SECRET = "https://buy.stripe.com/test_abc", ""

    result = CliRunner().invoke(cli, ["secrets", "--json"])

    assert result.exit_code == 1
    assert json.loads(result.stdout)["missing"] == ["GMAIL_APP_PASSWORD", "STRIPE_WEBHOOK_SECRET"]
    text = CliRunner().invoke(cli, ["secrets"])
    assert "Fix GMAIL_APP_PASSWORD:" in text.stdout
    assert "Fix STRIPE_WEBHOOK_SECRET:" in text.stdout


@pytest.mark.django_db
def test_development_keys_are_reported_as_generated(settings, monkeypatch):
    monkeypatch.setattr("sixdegrees.cli.setup_django", lambda: None)
    monkeypatch.delenv("SIXDEGREES_SECRET_KEY", raising=False)
    monkeypatch.delenv("SIXDEGREES_SECRET_KEY_FILE", raising=False)

    report = json.loads(CliRunner().invoke(cli, ["secrets", "--json"]).stdout)

    secret_key = next(row for row in report["secrets"] if row["name"] == "SIXDEGREES_SECRET_KEY")
    assert secret_key["set"] is True
    assert secret_key["source"].startswith("file generated in ")
