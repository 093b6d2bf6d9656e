"""Domain errors: raised by domain operations, turned into HTTP answers by the routes."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    """One faulty input field and what is wrong with it, in French."""

    field: str
    message: str


class DomainError(Exception):
    """A rule of the domain refused an action; `status` is its HTTP counterpart."""

    status = 400
    title = "Requête refusée"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotFound(DomainError):
    """The object does not exist, or its existence is private to the caller."""

    status = 404
    title = "Introuvable"


class PermissionDenied(DomainError):
    """The caller's role or ownership does not allow the action."""

    status = 403
    title = "Action non autorisée"


class Conflict(DomainError):
    """The object's state forbids the action."""

    status = 409
    title = "Action impossible dans l'état actuel"


class InvalidInput(DomainError):
    """Input that is well-formed but breaks a rule; names every faulty field."""

    status = 422
    title = "Données invalides"

    def __init__(self, errors: list[FieldError], detail: str | None = None) -> None:
        super().__init__(detail or "; ".join(f"{e.field} : {e.message}" for e in errors))
        self.errors = errors

    @classmethod
    def one(cls, field: str, message: str) -> InvalidInput:
        """An error about a single field."""
        return cls([FieldError(field, message)])


class GeocodingError(DomainError):
    """An address could not be turned into coordinates."""

    status = 422
    title = "Adresse introuvable"
    #: The input field at fault, named in the answer's `errors`.
    field = "address"
