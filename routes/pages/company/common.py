"""What the company contacts' pages share: domain errors shown in French, one-button actions."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import flash, redirect

from routes.pages.forms import FrenchForm
from tourplanner.accounts.models import User
from tourplanner.errors import Conflict, DomainError, InvalidInput
from tourplanner.extensions import db

T = TypeVar("T")


def sentence(error: DomainError) -> str:
    """A domain error as a French sentence."""
    detail = error.detail
    return detail[0].upper() + detail[1:] + "."


def attach_errors(
    form: FrenchForm, error: InvalidInput, names: dict[str, str] | None = None, fallback: str = "name"
) -> None:
    """Show the domain's errors beside the form's fields."""
    names = names or {}
    for item in error.errors:
        key = item.field.split(".")[0]
        name = names.get(key, key)
        field = getattr(form, name, None) or getattr(form, fallback)
        field.errors = list(field.errors) + [item.message[0].upper() + item.message[1:] + "."]


def act_and_go_back(thing: T, actor: User, verb: Callable[[T, User], object], done: str, back: str):
    """Run a one-button verb on `thing` and commit; flash `done`, or why it was refused; redirect to `back`."""
    try:
        verb(thing, actor)
        db.session.commit()
    except Conflict as error:
        db.session.rollback()
        flash(f"Action impossible : {sentence(error)}", "error")
    else:
        flash(done, "success")
    return redirect(back)
