"""Who may do what: one function per rule, raising PermissionDenied or NotFound."""

from __future__ import annotations

from tourplanner.accounts.enums import Role
from tourplanner.accounts.models import User
from tourplanner.errors import PermissionDenied

ROLE_NAMES = {
    Role.ORGANISER: "aux organisateurs",
    Role.PRESCRIBER: "aux prescripteurs",
    Role.COMPANY: "aux contacts entreprise",
    Role.AMBASSADOR: "aux ambassadeurs",
}


def require_role(user: User, *roles: Role) -> None:
    """Refuse unless `user` holds one of `roles`."""
    if user.role not in roles:
        allowed = " et ".join(ROLE_NAMES[role] for role in roles)
        raise PermissionDenied(f"action réservée {allowed}")


def require_organiser(user: User) -> None:
    """Organisers manage everything; others may not."""
    require_role(user, Role.ORGANISER)
