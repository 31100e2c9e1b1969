"""`sixdegrees demo`: fictional demo people with networks, so a first run shows named paths."""

from __future__ import annotations

from typing import Any

import click

from sixdegrees.cli import cli
from sixdegrees.cli.database import needs_database
from sixdegrees.cli.output import emit_json, json_option

# Commands import models, and the modules that import them, inside their bodies: this module is
# imported before Django is set up (LazyDjangoGroup in cli/__init__.py sets it up per command).


@cli.command("demo")
@click.option("--people", default=3, show_default=True, type=click.IntRange(1, 8), help="Demo people to create.")
@click.option(
    "--contacts", default=300, show_default=True, type=click.IntRange(40, 5000), help="Contacts in each network."
)
@click.option("--seed", default=7, show_default=True, type=int, help="The same seed makes the same data.")
@click.option("--reset", is_flag=True, help="Remove the demo accounts and their data, and create nothing.")
@json_option
@needs_database
def demo(people: int, contacts: int, seed: int, reset: bool, as_json: bool) -> None:
    """Create demo people, each with a network of fictional contacts, to try SixDegrees with.

    Everything is made up: the accounts are on demo.sixdegrees.example and every contact's
    address is on a domain reserved for examples (RFC 2606: the .example top-level domain,
    which never resolves, and example.net and example.org, which nobody can register), so no
    mail can ever reach anyone; phones are in the ranges kept for fiction (555-01xx, 020 7946
    0xxx); organisations are sample names (Northwind Ventures, Contoso Labs, Contoso
    University). Running it again adds nothing already there. --reset removes only the demo
    accounts and what belongs to them; nobody else's data is touched.

    Example: sixdegrees demo --people 3 --contacts 300 --seed 7
    """
    from django.conf import settings
    from django.utils import timezone

    from sixdegrees.mail.service import smtp_settings
    from sixdegrees.network.demo import DEMO_TARGETS
    from sixdegrees.network.demo_install import DemoConflict, install_demo, remove_demo

    if reset:
        removed = remove_demo()
        if as_json:
            emit_json({"removed": {"accounts": removed.accounts, "people": removed.people}})
        else:
            click.echo(
                f"Removed {removed.accounts} demo account{'s' if removed.accounts != 1 else ''} "
                f"and {removed.people} contacts of theirs. Run `sixdegrees demo` to make them again."
            )
        return
    try:
        report = install_demo(seed, people, contacts, timezone.now())
    except DemoConflict as exc:
        raise click.ClickException(str(exc)) from None
    mailbox = smtp_settings() is not None
    data: dict[str, Any] = {
        "seed": report.seed,
        "people": [
            {
                "email": owner.email,
                "name": owner.name,
                "contacts": owner.contacts,
                "added": owner.added,
                "unchanged": owner.unchanged,
                "duplicates_to_review": owner.duplicates,
                "shared_with_other_demo_people": owner.shared,
            }
            for owner in report.owners
        ],
        "targets": [
            {
                "name": t.name,
                "title_and_company": t.title_and_company,
                "reason": t.reason,
                "organisation": t.organisation,
            }
            for t in DEMO_TARGETS
        ],
        "sign_in": {
            "url": f"{settings.SITE_URL}/signin",
            "codes_in": "" if mailbox else str(settings.OUTBOX_DIR),
            "mailbox_configured": mailbox,
        },
    }
    if as_json:
        emit_json(data)
        return
    _print(data)


def _print(data: dict[str, Any]) -> None:
    click.echo(f"Demo data (seed {data['seed']}):")
    for person in data["people"]:
        click.echo(
            f"  {person['name']:<12} {person['email']:<32} {person['contacts']} contacts "
            f"({person['added']} added, {person['unchanged']} already there), "
            f"{person['duplicates_to_review']} duplicates to review, "
            f"{person['shared_with_other_demo_people']} shared with the other demo people"
        )
    sign_in = data["sign_in"]
    first = data["people"][0]["email"]
    click.echo("")
    click.echo(f"Sign in as a demo person: open {sign_in['url']} and enter {first}.")
    if sign_in["mailbox_configured"]:
        click.echo(
            "A mailbox is configured, so the code would go out by SMTP, and nothing can be delivered to"
            " a demo address: unset GMAIL_APP_PASSWORD to try the demo (codes then land in the local outbox)."
        )
    else:
        click.echo(f"No mailbox is configured, so the sign-in code is written to {sign_in['codes_in']}/ (newest file).")
    target = data["targets"][0]
    click.echo("")
    click.echo(
        f"Then try: start a campaign for {target['name']} ({target['title_and_company']}) with your demo"
        " address, to see a path through a named contact at Northwind Ventures."
    )
    for other in data["targets"][1:]:
        click.echo(f"Or: {other['name']} ({other['title_and_company']}).")
    click.echo("Remove it all with `sixdegrees demo --reset`.")


__all__ = ["demo"]
