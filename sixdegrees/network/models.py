"""The people someone knows: one row per person per owner, with every source that mentions them.

A person's network is theirs alone. Every table carries `owner`, every query filters on it, and
the unique keys are per owner: the same address in two people's networks is two unrelated rows,
and nothing here ever tells one owner what is in another's.

Matching across sources is exact only (`network/keys.py`): a normalised email, a LinkedIn handle
or an E.164 phone number. Two rows that merely look alike (same name, same organisation) become a
`DuplicateCandidate` for the owner to review; they are never merged by themselves.

Strength is 0–1. What paths use is `strength`: the owner's correction when there is one (it always
wins), else what the mailbox measured, else the stated prior for the sources alone
(`network/strength.py`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from sixdegrees.lib.ids import ID_MAX_LENGTH, import_id, person_id, scan_id


class SourceKind(models.TextChoices):
    LINKEDIN = "linkedin", "LinkedIn"
    GOOGLE = "google", "Google Contacts"
    OUTLOOK = "outlook", "Outlook"
    VCARD = "vcard", "vCard"
    MAILBOX = "mailbox", "Mailbox"
    MANUAL = "manual", "Typed in"


class Person(models.Model):
    id = models.CharField(primary_key=True, max_length=ID_MAX_LENGTH, default=person_id, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="network_people")
    name = models.CharField(max_length=200, blank=True)  # as the sources write it; may be empty (phone-only)
    given_name = models.CharField(max_length=100, blank=True)
    family_name = models.CharField(max_length=100, blank=True)
    organisation = models.CharField(max_length=200, blank=True)
    organisation_key = models.CharField(max_length=200, blank=True)  # organisations.organisation_key()
    title = models.CharField(max_length=200, blank=True)
    profile_url = models.CharField(max_length=500, blank=True)
    linkedin_handle = models.CharField(max_length=100, blank=True)  # keys.linkedin_handle()
    notes = models.TextField(blank=True)

    strength = models.FloatField(default=0.0)  # what paths use (see the module docstring)
    measured_strength = models.FloatField(null=True, blank=True)  # from the mailbox, None: never measured
    strength_override = models.FloatField(null=True, blank=True)  # the owner's correction
    strength_evidence = models.CharField(max_length=300, blank=True)  # "14 emails, both ways, last on 3 Nov"
    emails_sent = models.PositiveIntegerField(default=0)  # mailbox figures behind the strength
    emails_received = models.PositiveIntegerField(default=0)
    last_emailed_at = models.DateTimeField(null=True, blank=True)

    hidden = models.BooleanField(default=False)  # the owner's "never suggest this person"
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "network_people"
        ordering = ["-strength", "name"]
        indexes = [
            models.Index(fields=["owner", "organisation_key"], name="people_owner_org"),
            models.Index(fields=["owner", "-strength"], name="people_owner_strength"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "linkedin_handle"], condition=~Q(linkedin_handle=""), name="people_owner_handle"
            ),
            models.CheckConstraint(condition=Q(strength__gte=0) & Q(strength__lte=1), name="people_strength_0_1"),
        ]

    def __str__(self) -> str:
        return self.name or self.id


class PersonEmail(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="emails")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    address = models.CharField(max_length=254)  # as written: what a draft's To uses
    key = models.CharField(max_length=254)  # keys.email_key(): what matching uses
    position = models.PositiveSmallIntegerField(default=0)  # the sources' order; 0 is the one to write to

    class Meta:
        db_table = "network_emails"
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["owner", "key"], name="network_email_owner_key")]

    def __str__(self) -> str:
        return self.address


class PersonPhone(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="phones")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    number = models.CharField(max_length=64)  # as written
    key = models.CharField(max_length=64)  # keys.phone_key(): E.164

    class Meta:
        db_table = "network_phones"
        constraints = [models.UniqueConstraint(fields=["owner", "key"], name="network_phone_owner_key")]

    def __str__(self) -> str:
        return self.number


class PersonSource(models.Model):
    """One mention of a person: a row of an import, the mailbox, or the owner typing them in.

    `fingerprint` is a hash of what the row said, so importing the same file again finds every row
    already there and changes nothing.
    """

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="sources")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=SourceKind.choices)
    fingerprint = models.CharField(max_length=64)
    contact_import = models.ForeignKey(
        "ContactImport", on_delete=models.SET_NULL, null=True, blank=True, related_name="sources"
    )
    connected_on = models.DateField(null=True, blank=True)  # LinkedIn's "Connected On"
    first_seen_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "network_sources"
        constraints = [
            models.UniqueConstraint(fields=["owner", "kind", "fingerprint"], name="network_source_fingerprint")
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.person_id}"


class ContactImport(models.Model):
    """One uploaded file and what importing it did; large files run in the background."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting"
        RUNNING = "running", "Importing"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    id = models.CharField(primary_key=True, max_length=ID_MAX_LENGTH, default=import_id, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contact_imports")
    filename = models.CharField(max_length=255, blank=True)
    format = models.CharField(max_length=16, blank=True)  # detected or asked for
    encoding = models.CharField(max_length=32, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    data = models.BinaryField(null=True, blank=True)  # the file until it is imported, then cleared
    size_bytes = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    added = models.PositiveIntegerField(default=0)
    merged = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    needs_review = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    skipped_lines = models.JSONField(default=list, blank=True)  # [[line, reason], …], the first 200
    error = models.TextField(blank=True)  # a FormatError's words ("line 4127: …"); nothing was changed
    # The same error as {"template", "params", "line"}, so a page can say it in the reader's language.
    error_detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "network_imports"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.id} {self.filename} ({self.status})"

    def counts(self) -> dict[str, int]:
        """What the import did, as every report of it (page, API, CLI, export, task) gives it."""
        return {
            "added": self.added,
            "merged": self.merged,
            "unchanged": self.unchanged,
            "needs_review": self.needs_review,
            "skipped": self.skipped,
        }


class DuplicateCandidate(models.Model):
    """Two people in one owner's network who may be one (same name and organisation): for review."""

    class Status(models.TextChoices):
        OPEN = "open", "To review"
        MERGED = "merged", "Merged"
        SEPARATE = "separate", "Different people"

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    other = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()  # names.likely_same_person()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "network_duplicates"
        constraints = [models.UniqueConstraint(fields=["person", "other"], name="network_duplicate_pair")]

    def __str__(self) -> str:
        return f"{self.person_id} ~ {self.other_id} ({self.status})"


class MailObservation(models.Model):
    """One message to or from one address, as the mailbox scan saw it (headers only, never content)."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    address = models.CharField(max_length=254)  # keys.email_key() of the counterpart
    name = models.CharField(max_length=200, blank=True)  # the display name the header gave
    direction = models.CharField(max_length=3)  # "out" | "in"
    at = models.DateTimeField()
    recipients = models.PositiveIntegerField(default=1)
    bulk = models.BooleanField(default=False)
    message_id = models.CharField(max_length=500, blank=True)

    class Meta:
        db_table = "network_mail_observations"
        indexes = [models.Index(fields=["owner", "address"], name="observations_owner_address")]
        constraints = [
            # Reading a renumbered folder again (a new UIDVALIDITY) must not count its mail twice.
            models.UniqueConstraint(
                fields=["owner", "message_id", "direction", "address"],
                condition=~Q(message_id=""),
                name="observation_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.direction} {self.at:%Y-%m-%d}"


class ScanCursor(models.Model):
    """How far the network scan has read one folder of one mailbox (UIDVALIDITY + last UID)."""

    mailbox = models.ForeignKey("outreach.Mailbox", on_delete=models.CASCADE, related_name="network_cursors")
    folder = models.CharField(max_length=200)
    uidvalidity = models.PositiveBigIntegerField(null=True, blank=True)
    last_uid = models.PositiveBigIntegerField(default=0)
    scanned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "network_scan_cursors"
        constraints = [models.UniqueConstraint(fields=["mailbox", "folder"], name="network_cursor_folder")]

    def __str__(self) -> str:
        return f"{self.mailbox_id} {self.folder}: uid {self.last_uid}"


class MailboxScan(models.Model):
    """One run of the mailbox scan, with its progress for the page and the CLI."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting"
        RUNNING = "running", "Scanning"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    id = models.CharField(primary_key=True, max_length=ID_MAX_LENGTH, default=scan_id, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    mailbox = models.ForeignKey("outreach.Mailbox", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    messages_total = models.PositiveIntegerField(default=0)
    messages_done = models.PositiveIntegerField(default=0)
    observations = models.PositiveIntegerField(default=0)
    people_updated = models.PositiveIntegerField(default=0)
    notes = models.JSONField(default=list, blank=True)  # plain sentences from the scan
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "network_scans"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.id} ({self.status})"
