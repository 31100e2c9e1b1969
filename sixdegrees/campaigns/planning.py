"""Planning a campaign in the background: claim it, run the planner, store steps and drafts.

The campaign row carries a lease (`plan_lease_until`) so a plan is worked on by one worker at
a time, and the watchdog can tell a plan whose worker died from one still being made. The lease
is short (PLAN_LEASE_SECONDS) and renewed by a thread while the planner works, which may take
minutes (Claude, with retries): so a dead worker's plan is re-run within a minute, and a live
one is left alone. Renewal stops PLAN_DEADLINE_SECONDS after the claim, so a planner that hangs
in a live worker is re-run too.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.db import close_old_connections, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override
from pydantic import ValidationError

from sixdegrees.campaigns import timeline
from sixdegrees.campaigns.models import Campaign, CampaignStep
from sixdegrees.campaigns.plan import results_json
from sixdegrees.campaigns.signals import request_plan
from sixdegrees.network.candidates import best_candidates
from sixdegrees.outreach.models import EmailOutreach
from sixdegrees.strategy.offline import OfflinePlanner
from sixdegrees.strategy.outcome import PlanOutcome
from sixdegrees.strategy.planner import drafts_for_every_path, make_plan
from sixdegrees.strategy.schema import Contact, Draft, PlanInput

logger = logging.getLogger(__name__)

MAX_PLAN_CONTACTS = 200  # of PlanInput's 500: the planners read the first few dozen anyway


def owner_proven(campaign: Campaign) -> bool:
    """The browser that made the campaign proved it is the owner (signed in as that address).

    Only then may the owner's network shape the plan: a campaign typed with someone else's address
    stays pending (owner_confirmed False) and must never show a single one of their contacts.
    """
    owner = campaign.owner
    return bool(
        campaign.owner_confirmed
        and owner.email_verified
        and owner.email.strip().lower() == campaign.email.strip().lower()
    )


def network_contacts(campaign: Campaign) -> list[Contact]:
    """The owner's best candidates for this target, as the planners' contacts ([] unless proven)."""
    if not owner_proven(campaign):
        return []
    found = best_candidates(
        campaign.owner,
        campaign.target_name,
        campaign.target_company,
        campaign.motivation,
        limit=MAX_PLAN_CONTACTS,
        language=campaign.language,
    )
    contacts = []
    for candidate in found[:MAX_PLAN_CONTACTS]:
        email = candidate.email
        try:
            contact = Contact(
                name=candidate.name[:100],
                email=email,
                company=candidate.organisation[:200] or None,
                title=candidate.title[:200] or None,
                person_id=candidate.person_id,
                strength=candidate.strength,
                evidence=candidate.evidence[:200] or None,
                relation=candidate.relation,  # type: ignore[arg-type]  # RELATIONS match schema.Relation
            )
        except ValidationError:
            continue  # an address the mailer could never use: leave this person out, not the plan
        contacts.append(contact)
    return contacts


def plan_input_for(campaign: Campaign) -> PlanInput:
    return PlanInput(
        user_name=campaign.user_name,
        user_email=campaign.email,
        user_background=campaign.background,
        target_name=campaign.target_name,
        target_company=campaign.target_company,
        target_reason=campaign.motivation,
        language="zh-hans" if campaign.language.startswith("zh") else "en",
        contacts=network_contacts(campaign),
    )


def claim_for_planning(campaign_id: str) -> Campaign | None:
    now = timezone.now()
    lease = now + dt.timedelta(seconds=settings.PLAN_LEASE_SECONDS)
    claimed = (
        Campaign.objects.filter(id=campaign_id, status=Campaign.Status.PROCESSING)
        .filter(Q(plan_lease_until__isnull=True) | Q(plan_lease_until__lt=now))
        .update(plan_lease_until=lease, plan_attempts=F("plan_attempts") + 1, updated_at=now)
    )
    if claimed != 1:
        return None  # another worker has it, or it is no longer waiting for a plan
    return Campaign.objects.get(id=campaign_id)


def run_plan(campaign_id: str) -> str:
    """Make the plan for one campaign. Returns the campaign's resulting status (or "skipped")."""
    campaign = claim_for_planning(campaign_id)
    if campaign is None:
        return "skipped"
    keeper = LeaseKeeper(campaign_id, campaign.plan_lease_until)
    keeper.start()
    try:
        try:
            inp = plan_input_for(campaign)
            outcome = make_plan(inp)
        except Exception:
            logger.exception("planning failed", extra={"event": "plan_failed", "campaign_id": campaign_id})
            with override(campaign.language):
                reason = _("the planner stopped unexpectedly. Please try again.")
            mark_failed(campaign_id, reason, keeper.finish())
            return Campaign.Status.FAILED
        alternatives = drafts_for_every_path(inp, outcome.plan)
        return store_plan(campaign, outcome, keeper.finish(), alternatives)
    finally:
        keeper.finish()


class LeaseKeeper(threading.Thread):
    """Renews a claimed plan's lease every third of PLAN_LEASE_SECONDS until finish() is called.

    Each renewal is conditional on the lease it last wrote, so a plan that was regenerated or
    rescued meanwhile is not taken back; finish() returns the lease to finish the plan with.
    """

    def __init__(self, campaign_id: str, lease: dt.datetime | None):
        super().__init__(name=f"sixdegrees-plan-lease-{campaign_id}", daemon=True)
        self.campaign_id = campaign_id
        self.lease = lease
        self.renew_until = timezone.now() + dt.timedelta(seconds=settings.PLAN_DEADLINE_SECONDS)
        self.finished = threading.Event()
        self.lock = threading.Lock()  # finish() waits for a renewal under way

    def run(self) -> None:
        try:
            while not self.finished.wait(settings.PLAN_LEASE_SECONDS / 3):
                with self.lock:
                    if self.finished.is_set() or not self.renew():
                        return
        finally:
            close_old_connections()

    def renew(self) -> bool:
        now = timezone.now()
        if now >= self.renew_until:
            logger.warning(
                "plan past its deadline; no longer renewing its lease",
                extra={"event": "plan_lease_deadline", "campaign_id": self.campaign_id},
            )
            return False
        lease = now + dt.timedelta(seconds=settings.PLAN_LEASE_SECONDS)
        try:
            renewed = Campaign.objects.filter(
                id=self.campaign_id, status=Campaign.Status.PROCESSING, plan_lease_until=self.lease
            ).update(plan_lease_until=lease)
        except Exception:  # a locked database: the lease has time left, try again at the next beat
            logger.exception("plan lease not renewed", extra={"event": "plan_lease_failed"})
            return True
        if renewed != 1:
            return False  # regenerated, rescued or failed meanwhile: no longer ours
        self.lease = lease
        return True

    def finish(self) -> dt.datetime | None:
        with self.lock:
            self.finished.set()
        return self.lease


def store_plan(
    campaign: Campaign,
    outcome: PlanOutcome,
    lease: dt.datetime | None,
    alternatives: dict[int, list[Draft]] | None = None,
) -> str:
    plan = outcome.plan
    if alternatives is None:
        alternatives = drafts_for_every_path(plan_input_for(campaign), plan)
    with transaction.atomic():
        # Only the holder of the lease may finish: a regenerate or a watchdog re-run wins otherwise.
        still_ours = Campaign.objects.filter(
            id=campaign.id, status=Campaign.Status.PROCESSING, plan_lease_until=lease
        ).update(updated_at=timezone.now())
        if still_ours != 1:
            return "skipped"
        for op in outcome.operations:
            CampaignStep.objects.create(
                campaign=campaign,
                step_type=op.kind,
                step_description=op.description,
                planner=op.planner,
                status=op.status,
                duration_ms=op.duration_ms,
                input_tokens=op.input_tokens,
                output_tokens=op.output_tokens,
                cost_usd=Decimal(str(op.cost_usd)) if op.cost_usd is not None else None,
                error_message=op.error or "",
                result={"cached": op.cached, "model": op.model, **(op.result or {})},
                completed_at=timezone.now(),
            )
        replace_drafts(campaign, plan.drafts)
        campaign.results = results_json(
            plan,
            planner=outcome.planner_used,
            fallback_reason=outcome.fallback_reason,
            drafts_by_path=alternatives,
        )
        # Whether the owner's network could shape this plan: a plan made before the browser proved
        # the address could not, and the dashboard offers a new one once it has.
        campaign.results["network_used"] = owner_proven(campaign)
        campaign.selected_path = plan.strategy.recommended_path
        campaign.status = Campaign.Status.READY
        campaign.error_message = ""
        campaign.plan_lease_until = None
        campaign.save(
            update_fields=["results", "selected_path", "status", "error_message", "plan_lease_until", "updated_at"]
        )
        if outcome.fallback_reason:
            timeline.record(campaign, "plan_fallback", reason=outcome.fallback_reason)
        timeline.record(campaign, "plan_ready", paths=len(plan.strategy.paths))
    logger.info(
        "plan ready",
        extra={"event": "plan_ready", "campaign_id": campaign.id, "planner": outcome.planner_used},
    )
    return Campaign.Status.READY


def replace_drafts(campaign: Campaign, drafts: Iterable[Draft]) -> None:
    """Unsent drafts are the plan's; replace them. Anything queued or sent stays untouched."""
    EmailOutreach.objects.filter(campaign=campaign, status=EmailOutreach.Status.DRAFT).delete()
    EmailOutreach.objects.bulk_create(
        EmailOutreach(
            campaign=campaign,
            hop=draft.hop,
            recipient_email=draft.recipient_email or "",
            recipient_name=draft.recipient_name,
            subject=draft.subject,
            body=draft.body,
            status=EmailOutreach.Status.DRAFT,
        )
        for draft in drafts
    )


def redraft_for_path(campaign: Campaign, index: int) -> None:
    """Switch the campaign to path `index`: its drafts replace the current (unsent) ones."""
    plan = campaign.plan_view()
    drafts = plan.strict_drafts(index)
    if not drafts:  # plans stored before drafts were kept per path
        path = plan.strict().strategy.paths[index]
        drafts = OfflinePlanner().draft_path(plan_input_for(campaign), path)
    with transaction.atomic():
        replace_drafts(campaign, drafts)
        campaign.selected_path = index
        campaign.save(update_fields=["selected_path", "updated_at"])


def mark_failed(campaign_id: str, reason: str, lease: dt.datetime | None = None) -> None:
    rows = Campaign.objects.filter(id=campaign_id, status=Campaign.Status.PROCESSING)
    if lease is not None:
        rows = rows.filter(plan_lease_until=lease)
    with transaction.atomic():
        if rows.update(status=Campaign.Status.FAILED, error_message=reason, plan_lease_until=None) == 1:
            timeline.record(Campaign.objects.get(id=campaign_id), "plan_failed", reason=reason)


def find_stuck_plans(now: dt.datetime | None = None) -> list[str]:
    """Campaigns still `processing` past their lease, or never picked up at all."""
    now = now or timezone.now()
    never_started = now - dt.timedelta(seconds=max(60, settings.PLAN_DEADLINE_SECONDS // 5))
    return list(
        Campaign.objects.filter(status=Campaign.Status.PROCESSING)
        .filter(Q(plan_lease_until__lt=now) | Q(plan_lease_until__isnull=True, updated_at__lt=never_started))
        .values_list("id", flat=True)[:500]
    )


def rescue_stuck_plans() -> dict[str, int]:
    """The watchdog: re-run stuck plans, or fail them after PLAN_MAX_ATTEMPTS with a retry action."""
    retried = failed = 0
    for campaign_id in find_stuck_plans():
        campaign = Campaign.objects.filter(id=campaign_id).first()
        if campaign is None:
            continue
        if campaign.plan_attempts >= settings.PLAN_MAX_ATTEMPTS:
            with override(campaign.language):
                reason = _("planning did not finish after several tries. Please try again.")
            mark_failed(campaign_id, reason)
            failed += 1
            continue
        # Expire the lease now so the re-run can claim it; conditional on what we read, so that when
        # two watchdogs see the same plan (or its worker renewed it just now) only one re-runs it.
        released = Campaign.objects.filter(
            id=campaign_id,
            status=Campaign.Status.PROCESSING,
            plan_lease_until=campaign.plan_lease_until,
            updated_at=campaign.updated_at,
        ).update(plan_lease_until=None, updated_at=timezone.now())
        if released != 1:
            continue
        timeline.record(campaign, "plan_retry", attempt=campaign.plan_attempts + 1)
        request_plan(campaign_id)
        retried += 1
    if retried or failed:
        logger.warning("watchdog rescued plans", extra={"event": "plan_watchdog", "retried": retried, "failed": failed})
    return {"retried": retried, "failed": failed}
