"""E-mail addresses: the one rule that says what is one, for pages, the API, the CLI and the verbs.

email-validator checks the syntax only (never DNS: a counsellor's address is checked by the
mail that reaches it). The reserved names tests, demos and local mail sinks use
(`lea@localhost`, `a@b.test`, `x@example.fr` alike) stay accepted, as they always were.
"""

from __future__ import annotations

import email_validator
from email_validator import EmailNotValidError, validate_email

#: Reserved domain names (RFC 2606, RFC 6761) email-validator refuses by default and tourplanner accepts.
ACCEPTED_RESERVED_DOMAINS = ("localhost", "local", "test", "invalid")
email_validator.SPECIAL_USE_DOMAIN_NAMES = [
    name for name in email_validator.SPECIAL_USE_DOMAIN_NAMES if name not in ACCEPTED_RESERVED_DOMAINS
]

#: Longest address stored (RFC 5321's path limit).
MAX_EMAIL_LENGTH = 254
INVALID_EMAIL = "adresse e-mail invalide"


class InvalidEmail(ValueError):
    """Raised for a text that is not an e-mail address (its message is the French one shown to people)."""

    def __init__(self) -> None:
        super().__init__(INVALID_EMAIL)


def clean_email(text: str) -> str:
    """The address as stored (trimmed, lower-case); InvalidEmail when `text` is not one."""
    address = text.strip()
    if len(address) > MAX_EMAIL_LENGTH:
        raise InvalidEmail()
    try:
        validate_email(address, check_deliverability=False, globally_deliverable=False, test_environment=True)
    except EmailNotValidError:
        raise InvalidEmail() from None
    return address.lower()


def is_email(text: str) -> bool:
    """Whether `text` (spaces around aside) is an e-mail address."""
    try:
        clean_email(text)
    except InvalidEmail:
        return False
    return True
