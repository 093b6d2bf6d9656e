"""What the company contacts' pages share: domain errors shown in French."""

from __future__ import annotations

from routes.pages.forms import FrenchForm
from tourplanner.errors import DomainError, InvalidInput


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
