"""The `tourplanner` command: Flask's CLI bound to the app factory, plus our commands."""

from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import FlaskGroup

from tourplanner.accounts.enums import Role
from tourplanner.errors import DomainError
from tourplanner.solve_command import solve


@click.group(cls=FlaskGroup, create_app=lambda: __import__("tourplanner").create_app())
def main() -> None:
    """tourplanner: industrial discovery tours (≡ flask --app tourplanner)."""


def register_commands(app: Flask) -> None:
    """Attach tourplanner's commands to `app.cli`."""
    app.cli.add_command(users)
    app.cli.add_command(tokens)
    app.cli.add_command(demo)
    app.cli.add_command(solve)
    app.cli.add_command(scheduler)
    app.cli.add_command(kit)


def _fail(error: DomainError) -> None:
    click.echo(f"Erreur : {error.detail}", err=True)
    sys.exit(1)


@click.group()
def users() -> None:
    """Manage users."""


@users.command("create")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--name", required=True)
@click.option("--organisation", default=None, help="Created if new.")
def users_create(email: str, role: str, name: str, organisation: str | None) -> None:
    """Create a user; prints the user id."""
    from tourplanner.accounts.operations import create_user
    from tourplanner.extensions import db

    try:
        user = create_user(email, name, Role(role), organisation)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        _fail(error)
    click.echo(user.id)


@click.group()
def tokens() -> None:
    """Manage API tokens."""


@tokens.command("create")
@click.argument("email")
def tokens_create(email: str) -> None:
    """Issue a new API token for EMAIL; prints the token alone."""
    from tourplanner.accounts.operations import create_api_token, find_user_by_email
    from tourplanner.extensions import db

    user = find_user_by_email(email)
    if user is None:
        click.echo(f"Erreur : aucun utilisateur {email}", err=True)
        sys.exit(1)
    token = create_api_token(user)
    db.session.commit()
    click.echo(token)


@tokens.command("revoke")
@click.argument("email")
def tokens_revoke(email: str) -> None:
    """Revoke every API token of EMAIL; prints how many were revoked."""
    from tourplanner.accounts.operations import find_user_by_email, revoke_api_tokens
    from tourplanner.extensions import db

    user = find_user_by_email(email)
    if user is None:
        click.echo(f"Erreur : aucun utilisateur {email}", err=True)
        sys.exit(1)
    count = revoke_api_tokens(user)
    db.session.commit()
    click.echo(count)


@click.command()
def demo() -> None:
    """Load the demo data set; running it twice changes nothing."""
    from tourplanner.demo import load_demo
    from tourplanner.extensions import db

    summary = load_demo()
    db.session.commit()
    click.echo(summary, err=True)


@click.command()
def scheduler() -> None:
    """Run the scheduled jobs in the foreground until stopped."""
    from tourplanner.scheduler import run_scheduler

    run_scheduler()


@click.group()
def kit() -> None:
    """A territory's set-up (zones, sites without personal data, tour templates) as a JSON file."""


def _organiser(email: str):
    from tourplanner.accounts.operations import find_user_by_email

    user = find_user_by_email(email)
    if user is None or user.role is not Role.ORGANISER:
        click.echo(f"Erreur : aucun organisateur {email}", err=True)
        sys.exit(1)
    return user


@kit.command("export")
@click.option("--organiser", "email", required=True, help="The organiser whose tours give the templates.")
@click.option("--territory", default=None, help="Only this territory's zones and sites (all when left out).")
@click.option(
    "--output", "-o", type=click.File("w", encoding="utf-8"), default="-", help="File to write; - = standard output."
)
def kit_export(email: str, territory: str | None, output) -> None:
    """Write the kit as JSON."""
    import json

    from tourplanner.kit.queries import export_kit

    data = export_kit(_organiser(email), territory)
    json.dump(data, output, ensure_ascii=False, indent=2)
    output.write("\n")


@kit.command("import")
@click.argument("file", type=click.File("rb"))
@click.option("--organiser", "email", required=True, help="The organiser whose organisation gets the templates.")
def kit_import(file, email: str) -> None:
    """Import a kit file: all of it or nothing; prints what was created and updated."""
    from tourplanner.errors import InvalidInput
    from tourplanner.extensions import db
    from tourplanner.kit.layout import parse_kit
    from tourplanner.kit.operations import import_kit

    organiser = _organiser(email)
    try:
        report = import_kit(parse_kit(file.read()), organiser)
        db.session.commit()
    except InvalidInput as error:
        db.session.rollback()
        click.echo(f"Erreur : {error.detail}", err=True)
        for fault in error.errors:
            click.echo(f"  {fault.field} : {fault.message}", err=True)
        sys.exit(1)
    click.echo(report.summary())
