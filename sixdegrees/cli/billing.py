"""`sixdegrees billing …`: check the credit ledger, grant credits, see what needs an operator."""

from __future__ import annotations

import click

from sixdegrees.cli import cli
from sixdegrees.cli.database import needs_database
from sixdegrees.cli.output import emit_json, json_option

# Commands import models, and the modules that import them, inside their bodies: this module is
# imported before Django is set up (LazyDjangoGroup in cli/__init__.py sets it up per command).

SHOWN = 50


@cli.group("billing")
@needs_database
def billing() -> None:
    """Credits and payments: prove balances match the ledger, grant credits, list flags.

    Example: sixdegrees billing check
    """


@billing.command("check")
@json_option
@click.pass_context
def check(ctx: click.Context, as_json: bool) -> None:
    """Prove every balance equals the sum of its ledger rows.

    Lists each person whose `credits_balance` differs from the sum of their
    `credit_transactions`, and exits 1 if there is anyone; 0 means every balance is right.
    Open billing flags (refunds that left a balance below zero, payments nobody matched)
    are listed too, without changing the exit code.

    Example: sixdegrees billing check --json
    """
    from sixdegrees.accounts.models import User
    from sixdegrees.billing.ledger import check_balances
    from sixdegrees.billing.models import BillingFlag

    mismatches = check_balances()
    flags = list(BillingFlag.objects.filter(resolved_at__isnull=True).order_by("-created_at")[:SHOWN])
    people = User.objects.count()
    if as_json:
        emit_json(
            {
                "ok": not mismatches,
                "people_checked": people,
                "mismatches": [m.to_dict() for m in mismatches],
                "open_flags": [
                    {"id": f.pk, "kind": f.kind, "user_id": f.user_id, "message": f.message, "created_at": f.created_at}
                    for f in flags
                ],
            }
        )
    else:
        if mismatches:
            click.echo(f"{len(mismatches)} of {people} balances differ from their ledger:")
            click.echo(f"  {'user':<36}{'email':<32}{'balance':>9}{'ledger':>9}{'diff':>7}")
            for m in mismatches[:SHOWN]:
                click.echo(f"  {m.user_id:<36}{m.email:<32}{m.balance:>9}{m.ledger:>9}{m.difference:>+7}")
            if len(mismatches) > SHOWN:
                click.echo(f"  … and {len(mismatches) - SHOWN} more")
        else:
            click.echo(f"All {people} balances equal the sum of their ledger rows.")
        if flags:
            click.echo(f"Open billing flags ({len(flags)}):")
            for f in flags:
                click.echo(f"  #{f.pk} {f.created_at:%Y-%m-%d %H:%M} {f.kind}: {f.message}")
    if mismatches:
        ctx.exit(1)


@billing.command("grant")
@click.argument("email")
@click.argument("amount", type=int)
@click.option("--reason", required=True, help="Why; kept in the ledger row.")
@json_option
def grant(email: str, amount: int, reason: str, as_json: bool) -> None:
    """Add (or, with a negative AMOUNT, take away) credits, through the ledger.

    Writes one `credit_transactions` row (grant, or adjustment when negative) in the same
    transaction as the balance.

    Example: sixdegrees billing grant alice@example.com 3 --reason "conference promo"
    """
    from sixdegrees.accounts.models import User
    from sixdegrees.billing import ledger

    if amount == 0:
        raise click.ClickException("AMOUNT must not be 0.")
    user = User.objects.filter(email__iexact=email.strip()).first()
    if user is None:
        raise click.ClickException(f"No account with the address {email}.")
    row = ledger.grant(user, amount, reason=reason, actor="cli")
    user.refresh_from_db(fields=["credits_balance"])
    if as_json:
        emit_json({"transaction_id": row.pk if row else None, "user_id": user.pk, "balance": user.credits_balance})
    else:
        click.echo(f"{amount:+d} credits for {user.email}; balance now {user.credits_balance}.")


@billing.command("flags")
@click.option("--all", "show_all", is_flag=True, help="Include flags already marked resolved.")
@json_option
def flags(show_all: bool, as_json: bool) -> None:
    """List billing flags: what an operator must look at (negative balances, unmatched payments).

    Resolve them in the admin (Billing flags → Mark the selected flags resolved).

    Example: sixdegrees billing flags --all
    """
    from sixdegrees.billing.models import BillingFlag

    query = BillingFlag.objects.order_by("-created_at")
    if not show_all:
        query = query.filter(resolved_at__isnull=True)
    rows = list(query[:SHOWN])
    if as_json:
        emit_json(
            [
                {
                    "id": f.pk,
                    "kind": f.kind,
                    "user_id": f.user_id,
                    "message": f.message,
                    "event_id": f.event_id,
                    "created_at": f.created_at,
                    "resolved_at": f.resolved_at,
                }
                for f in rows
            ]
        )
        return
    if not rows:
        click.echo("No billing flags.")
    for f in rows:
        state = f" (resolved {f.resolved_at:%Y-%m-%d})" if f.resolved_at else ""
        click.echo(f"#{f.pk} {f.created_at:%Y-%m-%d %H:%M} {f.kind}: {f.message}{state}")


@billing.command("refill")
@json_option
def refill(as_json: bool) -> None:
    """Top free-plan people up to this month's credit now (the worker does it on the 1st).

    Once per person per month, so running it again, or after the worker, adds nothing.

    Example: sixdegrees billing refill
    """
    from sixdegrees.billing.ledger import refill_free_plans

    count = refill_free_plans()
    if as_json:
        emit_json({"refilled": count})
    else:
        click.echo(f"Refilled {count} free-plan balance(s).")


@billing.command("guarantee")
@json_option
def guarantee(as_json: bool) -> None:
    """Refund the campaigns that got no reply within 48 hours (the worker does it hourly).

    Once per campaign, so running it again adds nothing.

    Example: sixdegrees billing guarantee --json
    """
    from sixdegrees.billing.guarantee import refund_unanswered_campaigns

    refunded = refund_unanswered_campaigns()
    if as_json:
        emit_json({"refunded": refunded})
    else:
        click.echo(f"Refunded {len(refunded)} campaign(s)." + (f" {', '.join(refunded)}" if refunded else ""))
