"""The account a command acts for, found by its address (`--owner alice@example.com`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from sixdegrees.accounts.models import User

# Models are imported inside the function: this module is imported before Django is set up
# (LazyDjangoGroup in cli/__init__.py sets it up per command).


def owner_by_email(email: str) -> User:
    """The account with this address (any case), or a one-line error naming it."""
    from sixdegrees.accounts.models import User

    owner = User.objects.filter(email__iexact=email.strip()).first()
    if owner is None:
        raise click.ClickException(f"No account with the address {email.strip()}.")
    return owner


__all__ = ["owner_by_email"]
