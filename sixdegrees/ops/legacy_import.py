"""Import the earlier deployment's database (a D1 export: an SQLite SQL dump) into this one.

The dump is never run against the live database. It is split into statements here, each with
the line it starts on, and only CREATE TABLE and INSERT statements are replayed into a private
in-memory SQLite database; BEGIN/COMMIT/PRAGMA, indexes, triggers and views are skipped and
anything else (UPDATE, DROP, ATTACH, ROLLBACK…) is refused. A dump that ends inside a statement
or string, or opens a transaction it never commits, is refused too, naming the line where the
incomplete statement starts. Only then are rows read from that copy, mapped to the current
models and bulk-inserted inside one `transaction.atomic()`: all or nothing.

Tables other than the five below (`_cf_KV`, `d1_migrations`, `sqlite_sequence`, …) belong to the
platform and are reported as ignored.

Mapping. Ids are kept, so rows already in the database are skipped as "already present" and a
second run writes nothing.

    campaigns.status      pending, draft, processing → ready if results has a selected_path,
                          else failed with "Imported without a plan; regenerate it."
                          (no worker will finish an old row, and `processing` would make the
                          planning watchdog re-run, and pay for, a plan nobody asked for today)
                          ready, in_progress, connected, completed, failed → kept
                          anything else → the pending rule, with a warning
    email_outreach.status pending → draft; queued → draft (approved long ago on another system:
                          the person approves again rather than the worker sending stale mail;
                          the report counts them); sent, failed, bounced, replied → kept;
                          anything else → draft, with a warning
    campaign_steps        step_type find_intermediary → find_paths, draft_email → draft_emails,
                          others kept; status pending/running/completed/failed kept, else failed
    credit_transactions   transaction_type kept; one the ledger does not know → adjustment
    columns               cv → background, target_role → target_company, NULL text → ""
    timestamps            epoch seconds UTC → aware datetimes (above 10^11: milliseconds)
    results, result       JSON text parsed; malformed → {"legacy_raw": text} and a warning
    users.email           stripped and lowercased; invalid, empty or taken → user skipped

Orphans never stop an import: steps and emails whose campaign will not exist are written anyway
(those foreign keys have no database constraint) and listed; campaigns and credit transactions
whose user is missing are skipped and listed.

Ledger: for every user imported, credits_balance equals the sum of their credit_transactions
afterwards; where the legacy balance differed, one adjustment row
(external_event_id "import-d1:balance:<user id>") carries the difference.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import DatabaseError, models, transaction
from django.db.models import Sum
from django.utils import timezone

from sixdegrees.accounts.models import User
from sixdegrees.billing.models import CreditTransaction
from sixdegrees.campaigns.models import Campaign, CampaignStep
from sixdegrees.campaigns.plan import PlanUnreadable, StoredPlan
from sixdegrees.lib.ids import ID_MAX_LENGTH
from sixdegrees.ops.sqldump import LEGACY_TABLES, DumpError, LegacyDump, LegacyImportError, load_dump, quote_identifier
from sixdegrees.outreach.models import EmailOutreach

BATCH_SIZE = 500  # rows per read, existence query and bulk insert (under SQLite's 999 parameters)
NO_PLAN_MESSAGE = "Imported without a plan; regenerate it."
ADJUSTMENT_REASON = "Balance carried over from the earlier deployment"
ACTOR = "import-d1"

CAMPAIGN_KEPT = {"ready", "in_progress", "connected", "completed", "failed"}
CAMPAIGN_UNPLANNED = {"pending", "draft", "processing"}
EMAIL_STATUS = {
    "pending": "draft",
    "queued": "draft",
    **{s: s for s in ("sent", "failed", "bounced", "replied")},
}
STEP_TYPES = {"find_intermediary": "find_paths", "draft_email": "draft_emails"}


# --- The report ---------------------------------------------------------------------------


@dataclass
class TableCounts:
    imported: int = 0
    already_present: int = 0
    skipped: int = 0


@dataclass
class ImportReport:
    dump: str
    dry_run: bool
    tables: dict[str, TableCounts] = field(default_factory=lambda: {t: TableCounts() for t in LEGACY_TABLES})
    ignored_tables: dict[str, int] = field(default_factory=dict)
    orphans: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[dict[str, Any]] = field(default_factory=list)  # for reasons other than orphans
    warnings: list[dict[str, Any]] = field(default_factory=list)
    balance_adjustments: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def nothing_new(self) -> bool:
        return not self.balance_adjustments and not any(c.imported for c in self.tables.values())

    def to_dict(self) -> dict[str, Any]:
        return {
            "dump": self.dump,
            "dry_run": self.dry_run,
            "nothing_new": self.nothing_new,
            "tables": {name: vars(counts) for name, counts in self.tables.items()},
            "balance_adjustments": self.balance_adjustments,
            "ignored_tables": self.ignored_tables,
            "orphans": self.orphans,
            "skipped": self.skipped,
            "warnings": self.warnings,
            "notes": self.notes,
        }


# --- Mapping and writing ------------------------------------------------------------------


def import_dump(path: Path | str, *, dry_run: bool = False) -> ImportReport:
    """Import a D1 dump in one transaction; with dry_run, roll it back and only report."""
    path = Path(path)
    legacy = load_dump(path)
    report = ImportReport(dump=str(path), dry_run=dry_run, ignored_tables=legacy.ignored_tables)
    try:
        with transaction.atomic():
            _Importer(legacy, report).run()
            if dry_run:
                transaction.set_rollback(True)
    except DatabaseError as exc:
        raise LegacyImportError(f"the database refused the import, so nothing was written: {exc}") from exc
    finally:
        legacy.connection.close()
    return report


class _Importer:
    def __init__(self, legacy: LegacyDump, report: ImportReport) -> None:
        self.legacy = legacy
        self.report = report
        self.now = timezone.now()
        self.user_exists: dict[str, bool] = {}
        self.campaign_exists: dict[str, bool] = {}
        self.skipped_ids: dict[str, set[str]] = {t: set() for t in LEGACY_TABLES}
        self.new_users: dict[str, int] = {}  # imported in this run → legacy credits_balance
        self.user_emails: set[str] = set()

    def run(self) -> None:
        self._users()
        self._campaigns()
        self._steps()
        self._emails()
        self._transactions()
        self._reconcile_ledger()

    # Shared plumbing.

    def _batches(self, table: str, required: set[str]) -> Iterator[list[dict[str, Any]]]:
        name = self.legacy.tables.get(table)
        if name is None:
            return
        cursor = self.legacy.connection.execute(f"SELECT * FROM {quote_identifier(name)}")
        columns = [d[0].lower() for d in cursor.description]
        missing = required - set(columns)
        if missing:
            raise DumpError(f"table {name} has no column {', '.join(sorted(missing))}")
        while rows := cursor.fetchmany(BATCH_SIZE):
            yield [dict(zip(columns, row, strict=True)) for row in rows]

    def _fresh(self, table: str, model: type[models.Model], batch: list[dict[str, Any]]):
        """The rows of a batch to import: skips bad ids and counts the ones already present."""
        counts = self.report.tables[table]
        candidates: dict[str, dict[str, Any]] = {}
        for row in batch:
            raw = row.get("id")
            row_id = "" if raw is None else str(raw).strip()
            if not row_id or len(row_id) > ID_MAX_LENGTH:
                self._skip(table, row_id or None, "the id is empty or longer than 64 characters")
            elif row_id in candidates:
                self._skip(table, row_id, "the dump holds this id twice")
            else:
                candidates[row_id] = row
        present = set(model._default_manager.filter(pk__in=list(candidates)).values_list("pk", flat=True))
        counts.already_present += len(present)
        return [(row_id, row) for row_id, row in candidates.items() if row_id not in present], present

    def _skip(self, table: str, row_id: str | None, reason: str | None) -> None:
        """Count a row as skipped; orphans (reason None) are listed with the orphans instead."""
        self.report.tables[table].skipped += 1
        if reason:
            self.report.skipped.append({"table": table, "id": row_id, "reason": reason})
        if row_id:
            self.skipped_ids[table].add(row_id)

    def _warn(self, table: str, row_id: str, message: str) -> None:
        self.report.warnings.append({"table": table, "id": row_id, "message": message})

    def _orphan(self, table: str, row_id: str, parent: str, parent_id: str, action: str) -> None:
        parent_table = "users" if parent == "user" else "campaigns"
        if parent_id in self.skipped_ids[parent_table]:
            why = f"its {parent} {parent_id} was skipped"
        else:
            why = f"its {parent} {parent_id} is neither in the dump nor in the database"
        self.report.orphans.append(
            {
                "table": table,
                "id": row_id,
                "missing": parent,
                "missing_id": parent_id,
                "reason": why,
                "action": action,
            }
        )

    def _exists(self, cache: dict[str, bool], model: type[models.Model], ids: Iterable[str]) -> None:
        unknown = list({i for i in ids if i not in cache})
        for i in range(0, len(unknown), BATCH_SIZE):
            chunk = unknown[i : i + BATCH_SIZE]
            found = set(model._default_manager.filter(pk__in=chunk).values_list("pk", flat=True))
            cache.update({i: i in found for i in chunk})

    def _time(self, table: str, row_id: str, row: dict[str, Any], column: str, required: bool = True):
        value = row.get(column)
        try:
            when = to_datetime(value)
        except (TypeError, ValueError, OverflowError, OSError):
            self._warn(table, row_id, f"{column} {value!r} is not a timestamp; used the import time")
            when = None
        return self.now if when is None and required else when

    def _json(self, table: str, row_id: str, text: Any, column: str) -> Any:
        if text is None or (isinstance(text, str) and not text.strip()):
            return None
        try:
            return json.loads(text, parse_constant=_reject_constant)
        except (TypeError, ValueError):
            self._warn(table, row_id, f"{column} is not valid JSON; kept as legacy_raw")
            return {"legacy_raw": text if isinstance(text, str) else repr(text)}

    def _text(self, table: str, row_id: str, model: type[models.Model], name: str, value: Any) -> str:
        text = "" if value is None else str(value)
        limit = getattr(model._meta.get_field(name), "max_length", None)
        if limit and len(text) > limit:
            self._warn(table, row_id, f"{name} was longer than {limit} characters and was cut")
            text = text[:limit]
        return text

    def _write(self, model: type[models.Model], objects: list[Any], keep_updated_at: dict[str, Any]) -> None:
        model._default_manager.bulk_create(objects, batch_size=BATCH_SIZE)
        if keep_updated_at:
            # bulk_create stamps auto_now fields with the import time; put the legacy times back.
            for obj in objects:
                obj.updated_at = keep_updated_at[obj.pk]
            model._default_manager.bulk_update(objects, ["updated_at"], batch_size=BATCH_SIZE)

    # One method per legacy table.

    def _users(self) -> None:
        for batch in self._batches("users", {"id", "email"}):
            fresh, present = self._fresh("users", User, batch)
            self.user_exists.update(dict.fromkeys(present, True))
            emails = {str(row.get("email") or "").strip().lower() for _, row in fresh}
            taken = dict(User.objects.filter(email__in=list(emails)).values_list("email", "id"))
            users, updated = [], {}
            for row_id, row in fresh:
                email = str(row.get("email") or "").strip().lower()
                problem = _email_problem(email)
                if problem is None and email in self.user_emails:
                    problem = f"the email {email} belongs to another user in the dump"
                elif problem is None and email in taken:
                    problem = f"the email {email} belongs to existing user {taken[email]}"
                if problem:
                    self._skip("users", row_id, problem)
                    self.user_exists[row_id] = False
                    continue
                balance = _int(row.get("credits_balance"))
                user = User(
                    id=row_id,
                    email=email,
                    name=self._text("users", row_id, User, "name", row.get("name")),
                    credits_balance=balance,
                    plan=self._text("users", row_id, User, "plan", row.get("plan") or "free"),
                    language="zh-hans" if str(row.get("language") or "").startswith("zh") else "en",
                    email_verified=bool(_int(row.get("email_verified"))),
                    created_at=self._time("users", row_id, row, "created_at"),
                )
                user.set_unusable_password()  # sign-in is by emailed code
                users.append(user)
                updated[row_id] = self._time("users", row_id, row, "updated_at")
                self.user_emails.add(email)
                self.user_exists[row_id] = True
                self.new_users[row_id] = balance
            self._write(User, users, updated)
            self.report.tables["users"].imported += len(users)

    def _campaigns(self) -> None:
        owner_email = {}
        for batch in self._batches("campaigns", {"id", "user_id"}):
            fresh, present = self._fresh("campaigns", Campaign, batch)
            self.campaign_exists.update(dict.fromkeys(present, True))
            self._exists(self.user_exists, User, (str(row.get("user_id")) for _, row in fresh))
            campaigns, updated = [], {}
            for row_id, row in fresh:
                user_id = str(row.get("user_id"))
                if not self.user_exists.get(user_id):
                    self._skip("campaigns", row_id, None)
                    self._orphan("campaigns", row_id, "user", user_id, "skipped")
                    self.campaign_exists.setdefault(row_id, False)
                    continue
                results = self._json("campaigns", row_id, row.get("results"), "results")
                status, error = self._campaign_status(row_id, row.get("status"), results)
                email = str(row.get("email") or "").strip().lower()
                if not email:
                    if user_id not in owner_email:
                        owner_email[user_id] = User.objects.filter(pk=user_id).values_list("email", flat=True).first()
                    email = owner_email[user_id] or ""
                text = partial(self._text, "campaigns", row_id, Campaign)
                campaigns.append(
                    Campaign(
                        id=row_id,
                        owner_id=user_id,
                        email=text("email", email),
                        user_name=text("user_name", row.get("user_name") or row.get("name")),
                        background=text("background", row.get("cv")),
                        target_name=text("target_name", row.get("target_name")),
                        target_company=text("target_company", row.get("target_role")),
                        motivation=text("motivation", row.get("motivation")),
                        language="zh-hans" if str(row.get("language") or "").startswith("zh") else "en",
                        status=status,
                        results=results,
                        error_message=error or text("error_message", row.get("error_message")),
                        credits_used=_int(row.get("credits_used")),
                        created_at=self._time("campaigns", row_id, row, "created_at"),
                    )
                )
                updated[row_id] = self._time("campaigns", row_id, row, "updated_at")
                self.campaign_exists[row_id] = True
            self._write(Campaign, campaigns, updated)
            self.report.tables["campaigns"].imported += len(campaigns)

    def _campaign_status(self, row_id: str, legacy: Any, results: Any) -> tuple[str, str]:
        status = str(legacy or "").strip().lower()
        if status in CAMPAIGN_KEPT:
            return status, ""
        if status not in CAMPAIGN_UNPLANNED:
            self._warn("campaigns", row_id, f"unknown status {legacy!r}; treated like pending")
        try:
            planned = bool(StoredPlan.from_results(results).paths)
        except PlanUnreadable:
            planned = False
        if planned:
            return Campaign.Status.READY, ""
        return Campaign.Status.FAILED, NO_PLAN_MESSAGE

    def _child_batches(self, table: str, model: type[models.Model]) -> Iterator[list[tuple[str, str, dict]]]:
        """Batches of a table that hangs off campaigns; orphans are reported and still imported."""
        for batch in self._batches(table, {"id", "campaign_id"}):
            fresh, _ = self._fresh(table, model, batch)
            self._exists(self.campaign_exists, Campaign, (str(row.get("campaign_id")) for _, row in fresh))
            rows = []
            for row_id, row in fresh:
                campaign_id = str(row.get("campaign_id"))
                if not self.campaign_exists.get(campaign_id):
                    self._orphan(table, row_id, "campaign", campaign_id, "imported")
                rows.append((row_id, campaign_id, row))
            yield rows

    def _steps(self) -> None:
        table = "campaign_steps"
        for batch in self._child_batches(table, CampaignStep):
            steps = []
            for row_id, campaign_id, row in batch:
                step_type = str(row.get("step_type") or "")
                status = str(row.get("status") or "").lower()
                if status not in CampaignStep.Status.values:
                    self._warn(table, row_id, f"unknown status {row.get('status')!r}; imported as failed")
                    status = CampaignStep.Status.FAILED
                credits = row.get("credits_cost")
                text = partial(self._text, table, row_id, CampaignStep)
                steps.append(
                    CampaignStep(
                        id=row_id,
                        campaign_id=campaign_id,
                        step_type=text("step_type", STEP_TYPES.get(step_type, step_type)),
                        step_description=str(row.get("step_description") or ""),
                        status=status,
                        result=self._json(table, row_id, row.get("result"), "result"),
                        credits_cost=1 if credits is None else _int(credits),
                        created_at=self._time(table, row_id, row, "created_at"),
                        completed_at=self._time(table, row_id, row, "completed_at", required=False),
                    )
                )
            CampaignStep.objects.bulk_create(steps, batch_size=BATCH_SIZE)
            self.report.tables[table].imported += len(steps)

    def _emails(self) -> None:
        table, queued = "email_outreach", 0
        for batch in self._child_batches(table, EmailOutreach):
            emails = []
            for row_id, campaign_id, row in batch:
                legacy = str(row.get("status") or "").lower()
                status = EMAIL_STATUS.get(legacy)
                if status is None:
                    self._warn(table, row_id, f"unknown status {row.get('status')!r}; imported as draft")
                    status = EmailOutreach.Status.DRAFT
                queued += legacy == "queued"
                text = partial(self._text, table, row_id, EmailOutreach)
                emails.append(
                    EmailOutreach(
                        id=row_id,
                        campaign_id=campaign_id,
                        recipient_email=text("recipient_email", str(row.get("recipient_email") or "").strip().lower()),
                        recipient_name=text("recipient_name", row.get("recipient_name")),
                        subject=text("subject", row.get("subject")),
                        body=str(row.get("body") or ""),
                        status=status,
                        error_message=str(row.get("error_message") or ""),
                        sent_at=self._time(table, row_id, row, "sent_at", required=False),
                        created_at=self._time(table, row_id, row, "created_at"),
                    )
                )
            EmailOutreach.objects.bulk_create(emails, batch_size=BATCH_SIZE)
            self.report.tables[table].imported += len(emails)
        if queued:
            self.report.notes.append(
                f"{queued} emails were queued in the earlier deployment; they are drafts now, "
                "so nothing old goes out until its owner approves it again."
            )

    def _transactions(self) -> None:
        table = "credit_transactions"
        for batch in self._batches(table, {"id", "user_id", "amount"}):
            fresh, _ = self._fresh(table, CreditTransaction, batch)
            self._exists(self.user_exists, User, (str(row.get("user_id")) for _, row in fresh))
            rows = []
            for row_id, row in fresh:
                user_id = str(row.get("user_id"))
                if not self.user_exists.get(user_id):
                    self._skip(table, row_id, None)
                    self._orphan(table, row_id, "user", user_id, "skipped")
                    continue
                if user_id not in self.new_users:
                    self._warn(
                        table,
                        row_id,
                        f"user {user_id} was already present; their balance was not changed",
                    )
                kind = str(row.get("transaction_type") or "").lower()
                reason = ""
                if kind not in CreditTransaction.Kind.values:
                    self._warn(table, row_id, f"unknown transaction_type {kind!r}; imported as adjustment")
                    kind, reason = (
                        CreditTransaction.Kind.ADJUSTMENT,
                        f"Legacy transaction type {kind!r}",
                    )
                campaign_id = row.get("campaign_id")
                rows.append(
                    CreditTransaction(
                        id=row_id,
                        user_id=user_id,
                        amount=_int(row.get("amount")),
                        transaction_type=kind,
                        plan=self._text(table, row_id, CreditTransaction, "plan", row.get("plan")) or None,
                        campaign_id=str(campaign_id) if campaign_id not in (None, "") else None,
                        reason=reason,
                        created_at=self._time(table, row_id, row, "created_at"),
                    )
                )
            CreditTransaction.objects.bulk_create(rows, batch_size=BATCH_SIZE)
            self.report.tables[table].imported += len(rows)

    def _reconcile_ledger(self) -> None:
        """Make each imported user's balance equal the sum of their transactions."""
        user_ids = list(self.new_users)
        adjustments = []
        for i in range(0, len(user_ids), BATCH_SIZE):
            chunk = user_ids[i : i + BATCH_SIZE]
            sums = dict(
                CreditTransaction.objects.filter(user_id__in=chunk)
                .values("user_id")
                .annotate(total=Sum("amount"))
                .values_list("user_id", "total")
            )
            event_ids = {f"import-d1:balance:{user_id}": user_id for user_id in chunk}
            done = set(
                CreditTransaction.objects.filter(external_event_id__in=list(event_ids)).values_list(
                    "external_event_id", flat=True
                )
            )
            for event_id, user_id in event_ids.items():
                difference = self.new_users[user_id] - (sums.get(user_id) or 0)
                if difference and event_id not in done:
                    adjustments.append(
                        CreditTransaction(
                            user_id=user_id,
                            amount=difference,
                            transaction_type=CreditTransaction.Kind.ADJUSTMENT,
                            reason=ADJUSTMENT_REASON,
                            actor=ACTOR,
                            external_event_id=event_id,
                            created_at=self.now,
                        )
                    )
                    self.report.balance_adjustments.append({"user_id": user_id, "amount": difference})
        CreditTransaction.objects.bulk_create(adjustments, batch_size=BATCH_SIZE)


def to_datetime(value: Any) -> dt.datetime | None:
    """Epoch seconds (milliseconds above 10^11, or ISO text) → an aware UTC datetime."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            parsed = dt.datetime.fromisoformat(value.strip())
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
    seconds = float(value)
    if abs(seconds) >= 1e11:  # JavaScript's Date.now() counts milliseconds
        seconds /= 1000
    return dt.datetime.fromtimestamp(seconds, tz=dt.UTC)


def _email_problem(email: str) -> str | None:
    if not email:
        return "the email is empty"
    try:
        validate_email(email)
    except ValidationError:
        return f"the email {email!r} is not a valid address"
    return None


def _int(value: Any) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")  # PostgreSQL's jsonb refuses NaN and Infinity
