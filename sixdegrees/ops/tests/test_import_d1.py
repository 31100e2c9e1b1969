"""`sixdegrees import-d1`: a dump built from the legacy schema goes in whole, once, or not at all."""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from django.db.models import Sum

import sixdegrees.cli.importing  # registers the command on the group
from sixdegrees.accounts.models import User
from sixdegrees.billing.models import CreditTransaction
from sixdegrees.campaigns.models import Campaign, CampaignStep
from sixdegrees.cli import cli
from sixdegrees.ops.sqldump import DumpError, split_statements
from sixdegrees.outreach.models import EmailOutreach

T0 = 1708595400  # 2024-02-22 09:50:00 UTC

# The earlier deployment's schema, as docs/legacy-d1-schema.md describes it.
LEGACY_SCHEMA = """
CREATE TABLE users (id TEXT PRIMARY KEY, email TEXT UNIQUE NOT NULL,
  credits_balance INTEGER DEFAULT 0, created_at INTEGER, updated_at INTEGER);
CREATE TABLE campaigns (id TEXT PRIMARY KEY, user_id TEXT REFERENCES users(id), email TEXT,
  cv TEXT, target_name TEXT, target_role TEXT, motivation TEXT, status TEXT,
  credits_used INTEGER, results TEXT, created_at INTEGER, updated_at INTEGER);
CREATE TABLE campaign_steps (id TEXT PRIMARY KEY, campaign_id TEXT REFERENCES campaigns(id),
  step_type TEXT, step_description TEXT, credits_cost INTEGER DEFAULT 1, result TEXT,
  status TEXT, created_at INTEGER, completed_at INTEGER);
CREATE TABLE credit_transactions (id TEXT PRIMARY KEY, user_id TEXT REFERENCES users(id),
  amount INTEGER, transaction_type TEXT, plan TEXT, campaign_id TEXT, created_at INTEGER);
CREATE TABLE email_outreach (id TEXT PRIMARY KEY, campaign_id TEXT REFERENCES campaigns(id),
  recipient_email TEXT, recipient_name TEXT, subject TEXT, body TEXT, status TEXT,
  sent_at INTEGER, error_message TEXT, created_at INTEGER);
CREATE INDEX idx_campaigns_user ON campaigns(user_id);
CREATE TABLE _cf_KV (key TEXT PRIMARY KEY, value BLOB);
CREATE TABLE d1_migrations (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE,
  applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL);
"""

PATH = {"degree": 2, "confidence": 0.7, "strategy": "Ask Li Lei", "intermediaries": [{"name": "李雷"}]}
MOTIVATION = '你好，请介绍我认识她。\nIt\'s about "warm" intros; really.'
BODY = "王总您好：\n\n我是王小明。It's a pleasure -- truly; 'quoted'.\n/* not a comment */"

USERS = [
    ("user_1708595400_alice0001", "Alice.Legacy@Example.COM", 3, T0, T0 + 60),
    ("user_1708595400_wang00002", "wang@example.cn", 10, T0, T0),
    ("user_1708595400_zero00003", "zero@example.com", 0, T0, None),
    ("user_1708595400_bad000004", "not-an-email", 5, T0, T0),
    ("user_1708595400_empty0005", "", 1, T0, T0),
]
ALICE, WANG, ZERO, BAD = (u[0] for u in USERS[:4])
CAMPAIGNS = [
    (
        "camp_ready",
        ALICE,
        "alice.legacy@example.com",
        "Engineer",
        "Lisa Su",
        "CEO, AMD",
        "Chips",
        "ready",
        1,
        json.dumps({"strategy": "s", "selected_path": PATH}),
        T0,
        T0 + 5,
    ),
    (
        "camp_pending",
        WANG,
        "wang@example.cn",
        "我是工程师",
        "王小明",
        None,
        MOTIVATION,
        "pending",
        0,
        json.dumps({"strategy": "s", "selected_path": None}),
        T0,
        T0,
    ),
    (
        "camp_draft",
        ALICE,
        None,
        "cv",
        "Ada",
        "CTO",
        "m",
        "draft",
        0,
        json.dumps({"selected_path": PATH, "target_analysis": "分析"}),
        T0,
        T0,
    ),
    (
        "camp_broken",
        ALICE,
        "alice.legacy@example.com",
        "cv",
        "Bob",
        "VP",
        "m",
        "processing",
        1,
        '{"strategy": "oops',
        T0,
        T0,
    ),
    ("camp_done", ZERO, "zero@example.com", "cv", "Cy", None, "m", "completed", 1, None, T0, T0),
    ("camp_no_user", "user_gone", "gone@example.com", "cv", "Di", "x", "m", "ready", 1, None, T0, T0),
    ("camp_bad_user", BAD, "not-an-email", "cv", "Ed", "x", "m", "ready", 1, None, T0, T0),
]
STEPS = [
    (
        "step_1",
        "camp_ready",
        "find_intermediary",
        "Finding paths",
        1,
        json.dumps({"paths": 3}),
        "completed",
        T0,
        T0 + 30,
    ),
    ("step_2", "camp_pending", "draft_email", "Drafting", 1, None, "pending", T0, None),
    ("step_3", "camp_ready", "research_target", "Researching", 2, "{not json", "completed", T0, T0),
    ("step_orphan", "camp_gone", "research_target", "Lost", 1, "{}", "failed", T0, T0),
]
EMAILS = [
    ("email_1", "camp_ready", "Bob@Example.COM", None, "Hello", "Hi Bob", "pending", None, None, T0),
    ("email_2", "camp_ready", "li@example.cn", "李雷", "介绍一下", BODY, "sent", T0 + 100, None, T0),
    ("email_3", "camp_draft", "x@example.com", "X", "S", "B", "failed", None, "550 no such user", T0),
    ("email_orphan", "camp_gone", "y@example.com", "Y", "S", "B", "replied", T0, None, T0),
    ("email_of_skipped", "camp_no_user", "z@example.com", "Z", "S", "B", "sent", T0, None, T0),
]
TRANSACTIONS = [
    ("txn_1", ALICE, 5, "purchase", "starter", None, T0),
    ("txn_2", ALICE, -2, "usage", None, "camp_ready", T0 + 1),
    ("txn_3", WANG, 5, "purchase", "growth", None, T0),
    ("txn_4", "user_gone", 5, "purchase", "pro", None, T0),
    ("txn_5", ZERO, 1, "refund", None, None, T0),
    ("txn_6", ZERO, -1, "usage", None, "camp_done", T0),
]

EXPECTED_TABLES = {
    "users": {"imported": 3, "already_present": 0, "skipped": 2},
    "campaigns": {"imported": 5, "already_present": 0, "skipped": 2},
    "campaign_steps": {"imported": 4, "already_present": 0, "skipped": 0},
    "email_outreach": {"imported": 5, "already_present": 0, "skipped": 0},
    "credit_transactions": {"imported": 5, "already_present": 0, "skipped": 1},
}
ALL_PRESENT = {
    table: {"imported": 0, "already_present": c["imported"], "skipped": c["skipped"]}
    for table, c in EXPECTED_TABLES.items()
}


def build_dump() -> str:
    conn = sqlite3.connect(":memory:")
    conn.executescript(LEGACY_SCHEMA)
    for table, rows in [
        ("users", USERS),
        ("campaigns", CAMPAIGNS),
        ("campaign_steps", STEPS),
        ("email_outreach", EMAILS),
        ("credit_transactions", TRANSACTIONS),
    ]:
        marks = ",".join("?" * len(rows[0]))
        conn.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)
    conn.executemany("INSERT INTO _cf_KV VALUES (?, ?)", [("k1", b"v"), ("k2", b"w")])
    conn.execute("INSERT INTO d1_migrations (name) VALUES ('0001_init.sql')")
    conn.commit()
    # As D1 exports it: a PRAGMA first, then SQLite's own dump (BEGIN TRANSACTION … COMMIT).
    return "PRAGMA defer_foreign_keys=TRUE;\n" + "\n".join(conn.iterdump()) + "\n"


@pytest.fixture
def dump_text() -> str:
    return build_dump()


@pytest.fixture
def dump_file(tmp_path: Path, dump_text: str) -> Path:
    path = tmp_path / "d1-export.sql"
    path.write_text(dump_text, encoding="utf-8")
    return path


def run(*args: str):
    return CliRunner().invoke(cli, ["import-d1", *args], catch_exceptions=False)


def run_json(*args: str) -> dict:
    result = run(*args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def db_counts() -> dict[str, int]:
    return {
        "users": User.objects.count(),
        "campaigns": Campaign.objects.count(),
        "campaign_steps": CampaignStep.objects.count(),
        "email_outreach": EmailOutreach.objects.count(),
        "credit_transactions": CreditTransaction.objects.count(),
    }


def line_of(text: str, marker: str) -> int:
    return text[: text.index(marker)].count("\n") + 1


@pytest.mark.django_db(transaction=True)
def test_it_imports_every_table(dump_file, alice):
    alice_ledger_rows = CreditTransaction.objects.filter(user=alice).count()  # her welcome credit
    report = run_json(str(dump_file))

    assert report["tables"] == EXPECTED_TABLES
    assert report["dry_run"] is False and report["nothing_new"] is False
    assert report["ignored_tables"] == {"_cf_KV": 2, "d1_migrations": 1, "sqlite_sequence": 1}
    # alice (the fixture) was already here; the legacy ledger adds one adjustment for wang.
    assert db_counts() == {
        "users": 4,
        "campaigns": 5,
        "campaign_steps": 4,
        "email_outreach": 5,
        "credit_transactions": 6 + alice_ledger_rows,
    }
    assert [(w["table"], w["id"]) for w in report["warnings"]] == [
        ("campaigns", "camp_broken"),
        ("campaign_steps", "step_3"),
    ]
    # Orphans skipped are listed with the orphans; these are the other rows left out.
    assert report["skipped"] == [
        {"table": "users", "id": BAD, "reason": "the email 'not-an-email' is not a valid address"},
        {"table": "users", "id": "user_1708595400_empty0005", "reason": "the email is empty"},
    ]


@pytest.mark.django_db(transaction=True)
def test_it_reports_orphans_without_failing(dump_file):
    report = run_json(str(dump_file))

    orphans = {(o["table"], o["id"]): (o["missing_id"], o["action"]) for o in report["orphans"]}
    assert orphans == {
        ("campaigns", "camp_no_user"): ("user_gone", "skipped"),
        ("campaigns", "camp_bad_user"): (BAD, "skipped"),
        ("campaign_steps", "step_orphan"): ("camp_gone", "imported"),
        ("email_outreach", "email_orphan"): ("camp_gone", "imported"),
        ("email_outreach", "email_of_skipped"): ("camp_no_user", "imported"),
        ("credit_transactions", "txn_4"): ("user_gone", "skipped"),
    }
    assert EmailOutreach.objects.get(id="email_orphan").campaign_id == "camp_gone"
    assert CampaignStep.objects.get(id="step_orphan").campaign_id == "camp_gone"
    assert not Campaign.objects.filter(id__in=["camp_no_user", "camp_bad_user"]).exists()


@pytest.mark.django_db(transaction=True)
def test_it_maps_rows_to_the_current_models(dump_file):
    run_json(str(dump_file))

    alice = User.objects.get(id=ALICE)
    assert alice.email == "alice.legacy@example.com"
    assert alice.created_at == dt.datetime(2024, 2, 22, 9, 50, tzinfo=dt.UTC)
    assert alice.updated_at == dt.datetime(2024, 2, 22, 9, 51, tzinfo=dt.UTC)
    assert not alice.has_usable_password()

    statuses = dict(Campaign.objects.values_list("id", "status"))
    assert statuses == {
        "camp_ready": "ready",
        "camp_pending": "failed",  # pending without a selected path
        "camp_draft": "ready",  # draft with a selected path
        "camp_broken": "failed",  # processing, results unreadable
        "camp_done": "completed",
    }
    pending = Campaign.objects.get(id="camp_pending")
    assert pending.error_message == "Imported without a plan; regenerate it."
    assert pending.target_name == "王小明"
    assert pending.motivation == MOTIVATION
    assert pending.background == "我是工程师"
    assert pending.target_company == ""
    assert Campaign.objects.get(id="camp_ready").target_company == "CEO, AMD"
    assert Campaign.objects.get(id="camp_ready").results["selected_path"] == PATH
    assert Campaign.objects.get(id="camp_ready").error_message == ""
    assert Campaign.objects.get(id="camp_draft").email == "alice.legacy@example.com"
    assert Campaign.objects.get(id="camp_broken").results == {"legacy_raw": '{"strategy": "oops'}
    assert Campaign.objects.get(id="camp_done").results is None

    steps = {s.id: s for s in CampaignStep.objects.all()}
    assert steps["step_1"].step_type == "find_paths"
    assert steps["step_1"].result == {"paths": 3}
    assert steps["step_1"].completed_at == dt.datetime(2024, 2, 22, 9, 50, 30, tzinfo=dt.UTC)
    assert steps["step_2"].step_type == "draft_emails"
    assert (steps["step_2"].status, steps["step_2"].completed_at) == ("pending", None)
    assert steps["step_3"].step_type == "research_target"
    assert steps["step_3"].result == {"legacy_raw": "{not json"}

    emails = {e.id: e for e in EmailOutreach.objects.all()}
    assert (emails["email_1"].status, emails["email_1"].recipient_email) == ("draft", "bob@example.com")
    assert emails["email_1"].recipient_name == ""
    assert emails["email_2"].body == BODY
    assert emails["email_2"].recipient_name == "李雷"
    assert emails["email_2"].sent_at == dt.datetime(2024, 2, 22, 9, 51, 40, tzinfo=dt.UTC)
    assert emails["email_3"].error_message == "550 no such user"
    assert emails["email_orphan"].status == "replied"

    assert CreditTransaction.objects.get(id="txn_5").transaction_type == "refund"
    assert CreditTransaction.objects.get(id="txn_2").campaign_id == "camp_ready"


@pytest.mark.django_db(transaction=True)
def test_balances_equal_the_ledger(dump_file):
    report = run_json(str(dump_file))

    assert report["balance_adjustments"] == [{"user_id": WANG, "amount": 5}]
    adjustment = CreditTransaction.objects.get(external_event_id=f"import-d1:balance:{WANG}")
    assert (adjustment.transaction_type, adjustment.amount) == ("adjustment", 5)
    assert adjustment.reason == "Balance carried over from the earlier deployment"
    assert adjustment.actor == "import-d1"
    for user in User.objects.filter(id__in=[ALICE, WANG, ZERO]):
        total = user.credit_transactions.aggregate(total=Sum("amount"))["total"] or 0
        assert total == user.credits_balance, user.id
    assert User.objects.get(id=WANG).credits_balance == 10


@pytest.mark.django_db(transaction=True)
def test_a_second_run_imports_nothing(dump_file):
    run_json(str(dump_file))
    before = db_counts()

    report = run_json(str(dump_file))

    assert db_counts() == before
    assert report["tables"] == ALL_PRESENT
    assert report["nothing_new"] is True
    assert report["balance_adjustments"] == []
    assert [o["id"] for o in report["orphans"]] == ["camp_no_user", "camp_bad_user", "txn_4"]
    assert "Nothing new to import" in run(str(dump_file)).output


@pytest.mark.django_db(transaction=True)
def test_dry_run_writes_nothing(dump_file, alice):
    before = db_counts()

    report = run_json(str(dump_file), "--dry-run")

    assert db_counts() == before
    assert report["dry_run"] is True
    assert report["tables"] == EXPECTED_TABLES
    assert report["balance_adjustments"] == [{"user_id": WANG, "amount": 5}]
    assert "Dry run: rolled back, nothing was written." in run(str(dump_file), "--dry-run").output
    assert db_counts() == before


@pytest.mark.django_db(transaction=True)
def test_it_prints_a_readable_report(dump_file):
    result = run(str(dump_file))

    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == f"Imported from {dump_file}:"
    assert lines[2].split() == ["users", "3", "0", "2"]
    assert lines[6].split() == ["credit_transactions", "5", "0", "1"]
    assert f"Balance adjustments (1): {WANG} +5" in lines
    assert "Ignored platform tables: _cf_KV (2 rows), d1_migrations (1 row), sqlite_sequence (1 row)" in lines
    assert "Orphans (6):" in lines
    assert "Warnings (2):" in lines
    assert "  campaigns camp_broken: results is not valid JSON; kept as legacy_raw" in lines
    assert lines[-1] == "Done: everything above was written in one transaction."


def truncated_mid_string(text: str) -> tuple[str, int]:
    cut = text.index("你好，请介绍") + 3
    return text[:cut], line_of(text, "INSERT INTO \"campaigns\" VALUES('camp_pending'")


def missing_commit(text: str) -> tuple[str, int]:
    return text[: text.rindex("COMMIT;")], line_of(text, "BEGIN TRANSACTION;")


def malformed_insert(text: str) -> tuple[str, int]:
    marker = "INSERT INTO \"credit_transactions\" VALUES('txn_3'"
    return text.replace(marker, "INSERT INTO \"credit_transactions\" VALUES('txn_3',,"), line_of(text, marker)


def unknown_statement(text: str) -> tuple[str, int]:
    marker = "INSERT INTO \"users\" VALUES('user_1708595400_zero00003'"
    return text.replace(marker, "DROP TABLE users;\n" + marker), line_of(text, marker)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("damage", [truncated_mid_string, missing_commit, malformed_insert, unknown_statement])
def test_a_damaged_dump_changes_nothing(tmp_path, dump_text, alice, damage):
    text, line = damage(dump_text)
    path = tmp_path / "damaged.sql"
    path.write_text(text, encoding="utf-8")
    before = db_counts()

    result = CliRunner().invoke(cli, ["import-d1", str(path)])

    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)  # a ClickException, not a traceback
    assert f"Error: line {line}:" in result.output
    assert db_counts() == before


@pytest.mark.django_db(transaction=True)
def test_a_missing_file_is_a_clean_error(tmp_path):
    result = CliRunner().invoke(cli, ["import-d1", str(tmp_path / "nope.sql")])

    assert result.exit_code == 2
    assert "does not exist" in result.output
    assert "Traceback" not in result.output


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "holds none of the tables"),
        (b"CREATE TABLE notes (x TEXT);\n", "holds none of the tables"),
        (b"\xff\xfe garbage", "is not UTF-8 text"),
        (b"INSERT INTO users VALUES('u', 'a@b.c', 0, 0, 0);\n", "line 1: rows for users come before"),
    ],
)
def test_it_refuses_what_is_not_a_dump(tmp_path, content, message):
    path = tmp_path / "odd.sql"
    path.write_bytes(content)

    result = CliRunner().invoke(cli, ["import-d1", str(path)])

    assert result.exit_code == 1
    assert message in result.output


def test_help_ends_with_an_example():
    result = CliRunner().invoke(cli, ["import-d1", "--help"])

    assert result.exit_code == 0
    assert "Example: sixdegrees import-d1 d1-export.sql --dry-run" in result.output
    last_line = sixdegrees.cli.importing.import_d1.help.strip().splitlines()[-1].strip()
    assert last_line.startswith("Example: ")


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ("BEGIN;INSERT INTO t VALUES('a;b');\nCOMMIT;\n", [(1, "BEGIN;"), (1, "INSERT"), (2, "COMMIT;")]),
        ("-- a comment; not a statement\nINSERT INTO t VALUES('it''s\n;\n');\n", [(2, "INSERT")]),
        ("INSERT INTO t\nVALUES(1) -- it's; a comment\n;\n\nCOMMIT;", [(1, "INSERT"), (5, "COMMIT")]),
        ('/* x; */ CREATE TABLE "a;b" (c);\n\n;\nPRAGMA x;', [(1, 'CREATE TABLE "a;b"'), (4, "PRAGMA")]),
        (
            "CREATE TRIGGER tr AFTER INSERT ON t BEGIN\n  SELECT 1;\n  SELECT 2;\nEND;\nCOMMIT;\n",
            [(1, "CREATE TRIGGER"), (5, "COMMIT")],
        ),
    ],
)
@pytest.mark.parametrize("as_blocks", [False, True], ids=["lines", "one block"])
def test_split_statements(script, expected, as_blocks):
    statements = list(split_statements([script] if as_blocks else script.splitlines(keepends=True)))

    assert [
        (s.line, s.text.strip()[: len(prefix)]) for s, (_, prefix) in zip(statements, expected, strict=True)
    ] == expected


@pytest.mark.parametrize(
    ("script", "line"),
    [
        ("COMMIT;\nINSERT INTO t VALUES('never\nclosed);\n", 2),
        ("COMMIT;\n\nINSERT INTO t VALUES(1)\n", 3),
        ("COMMIT;\n/* open comment\n", 2),
    ],
)
def test_split_statements_names_the_incomplete_line(script, line):
    with pytest.raises(DumpError, match=f"^line {line}: "):
        list(split_statements(script.splitlines(keepends=True)))


@pytest.mark.django_db(transaction=True)
def test_sqlite_cli_dump_style_is_understood(tmp_path):
    # The sqlite3 shell writes newlines as replace(…, '\n', char(10)) and may use unquoted names.
    path = tmp_path / "shell.sql"
    path.write_text(
        "PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\n"
        "CREATE TABLE users (id TEXT PRIMARY KEY, email TEXT, credits_balance INTEGER,"
        " created_at INTEGER, updated_at INTEGER);\n"
        "INSERT INTO users VALUES('u1',replace('Ann@Example.com\\n','\\n',''),2,1708595400,1708595400);\n"
        "COMMIT;\n",
        encoding="utf-8",
    )

    report = run_json(str(path))

    assert report["tables"]["users"] == {"imported": 1, "already_present": 0, "skipped": 0}
    assert User.objects.get(id="u1").email == "ann@example.com"
    assert report["balance_adjustments"] == [{"user_id": "u1", "amount": 2}]


def test_the_installed_command_refuses_a_truncated_dump(tmp_path, dump_text):
    text, line = truncated_mid_string(dump_text)
    path = tmp_path / "truncated.sql"
    path.write_text(text, encoding="utf-8")
    env = {**os.environ, "SIXDEGREES_DATA_DIR": str(tmp_path / "data")}
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    command = str(Path(sys.executable).parent / "sixdegrees")
    # import-d1 refuses a never-migrated data dir first (test_cli_unmigrated.py); set it up as `up` would.
    subprocess.run([command, "manage", "migrate", "-v", "0"], env=env, check=True, timeout=120)

    done = subprocess.run(
        [command, "import-d1", str(path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )

    assert done.returncode == 1
    assert f"Error: line {line}:" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.django_db(transaction=True)
def test_edge_cases_are_reported_not_fatal(tmp_path, alice):
    statements = [
        "INSERT INTO users (id, email, credits_balance, created_at, updated_at) VALUES"
        " ('u_alice', 'ALICE@example.com', 4, 1708595400, 1708595400),"
        " ('u_ms', 'ms@example.com', 0, 1708595400000, '2024-02-22 09:50:00');",
        "INSERT INTO campaigns VALUES ('c_of_alice', 'u_alice', 'a@b.c', '', 'T', '', '', 'ready', 0,"
        " NULL, 1708595400, 1708595400);",
        "INSERT INTO campaigns VALUES ('c_weird', 'u_ms', 'ms@example.com', '', 'T', '', '', 'weird', 0,"
        f" '{json.dumps({'selected_path': PATH})}', 1708595400, 1708595400);",
        "INSERT INTO campaigns VALUES ('c_prog', 'u_ms', 'ms@example.com', '', 'T', '', '', 'in_progress', 0,"
        " NULL, 1708595400, 'yesterday');",
        "INSERT INTO email_outreach VALUES ('e_q', 'c_prog', 'q@example.com', 'Q', 'S', 'B', 'queued',"
        " NULL, NULL, 1708595400);",
        "INSERT INTO email_outreach VALUES ('e_odd', 'c_prog', 'o@example.com', 'O', 'S', 'B', 'bouncing',"
        " NULL, NULL, 1708595400);",
        "INSERT INTO credit_transactions VALUES ('t_bonus', 'u_ms', 2, 'bonus', NULL, NULL, 1708595400);",
    ]
    path = tmp_path / "edge.sql"
    path.write_text(LEGACY_SCHEMA + "\n".join(statements) + "\n", encoding="utf-8")

    report = run_json(str(path))

    assert report["tables"] == {
        "users": {"imported": 1, "already_present": 0, "skipped": 1},
        "campaigns": {"imported": 2, "already_present": 0, "skipped": 1},
        "campaign_steps": {"imported": 0, "already_present": 0, "skipped": 0},
        "email_outreach": {"imported": 2, "already_present": 0, "skipped": 0},
        "credit_transactions": {"imported": 1, "already_present": 0, "skipped": 0},
    }
    assert report["skipped"] == [
        {
            "table": "users",
            "id": "u_alice",
            "reason": f"the email alice@example.com belongs to existing user {alice.id}",
        }
    ]
    assert [(o["id"], o["reason"]) for o in report["orphans"]] == [("c_of_alice", "its user u_alice was skipped")]
    assert [(w["id"], w["message"]) for w in report["warnings"]] == [
        ("c_weird", "unknown status 'weird'; treated like pending"),
        ("c_prog", "updated_at 'yesterday' is not a timestamp; used the import time"),
        ("e_odd", "unknown status 'bouncing'; imported as draft"),
        ("t_bonus", "unknown transaction_type 'bonus'; imported as adjustment"),
    ]
    assert report["notes"] == [
        "1 emails were queued in the earlier deployment; they are drafts now, "
        "so nothing old goes out until its owner approves it again."
    ]
    # The legacy balance (0) wins over the +2 "bonus": the ledger gets a -2 adjustment.
    assert report["balance_adjustments"] == [{"user_id": "u_ms", "amount": -2}]
    user = User.objects.get(id="u_ms")
    assert user.created_at == dt.datetime(2024, 2, 22, 9, 50, tzinfo=dt.UTC)  # from milliseconds
    assert user.updated_at == dt.datetime(2024, 2, 22, 9, 50, tzinfo=dt.UTC)  # from text
    assert dict(Campaign.objects.values_list("id", "status")) == {"c_weird": "ready", "c_prog": "in_progress"}
    assert dict(EmailOutreach.objects.values_list("id", "status")) == {"e_q": "draft", "e_odd": "draft"}
    assert CreditTransaction.objects.get(id="t_bonus").transaction_type == "adjustment"
    assert User.objects.get(id=alice.id).credits_balance == alice.credits_balance  # the existing account is untouched
