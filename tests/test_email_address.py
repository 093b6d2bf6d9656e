"""E-mail addresses are checked one way everywhere: the CLI, the API, the pages and the verbs."""

from __future__ import annotations

import pytest

from tourplanner.accounts.enums import Role
from tourplanner.email_address import InvalidEmail, clean_email, is_email

#: Accepted before this rule had one home, and still: real domains, and the reserved ones tests, demos and
#: local mail sinks use (`x@example.fr`, `a@b.test`, `lea@localhost`).
ACCEPTED = [
    "x@example.fr",
    "x@example.com",
    "camille.durand@france-travail.fr",
    "Léa.Martin@Exemple.FR",
    "o'brien+tours@mission-locale.fr",
    "a@b.test",
    "lea@localhost",
    "contact@zitours.example",
    "ops@db.internal",
    "  espaces@autour.fr  ",
]
#: Not an address, whichever door it comes through.
REFUSED = ["", "pas-une-adresse", "@example.fr", "lea@", "lea martin@example.fr", "lea@@example.fr", "a@b@example.fr"]


@pytest.mark.parametrize("address", ACCEPTED)
def test_these_addresses_are_accepted(address: str) -> None:
    """Real addresses and reserved test domains pass; they are stored trimmed and lower-case."""
    assert is_email(address)
    assert clean_email(address) == address.strip().lower()


@pytest.mark.parametrize("address", REFUSED)
def test_these_are_not_addresses(address: str) -> None:
    """No @, nothing before or after it, spaces inside, two @: refused, with the French message."""
    assert not is_email(address)
    with pytest.raises(InvalidEmail, match="adresse e-mail invalide"):
        clean_email(address)


def test_an_address_longer_than_254_characters_is_refused() -> None:
    """Addresses that do not fit the stored column are refused, not truncated."""
    assert not is_email("a" * 64 + "@" + ".".join(["b" * 60] * 4) + ".fr")


@pytest.mark.parametrize(("address", "accepted"), [("lea@localhost", True), ("a@b.test", True), ("lea@@b.fr", False)])
def test_the_cli_creates_users_by_the_same_rule(runner, address: str, accepted: bool) -> None:
    """`tourplanner users create EMAIL` accepts reserved test domains and refuses what is not an address."""
    result = runner.invoke(args=["users", "create", address, "--role", "prescriber", "--name", "Léa"])
    assert (result.exit_code == 0) is accepted, result.output


@pytest.mark.parametrize(("address", "accepted"), [("lea@localhost", True), ("lea@b.test", True), ("a b@c.fr", False)])
def test_the_api_checks_participants_by_the_same_rule(api_as, make_tour, address: str, accepted: bool) -> None:
    """A participant's address in POST /tours/{id}/bookings follows the same rule (a dot is not required)."""
    tour = make_tour(published=True)
    response = api_as(Role.PRESCRIBER).post(
        f"/tours/{tour.id}/bookings", json={"seats": 1, "participants": [{"name": "Léa", "email": address}]}
    )
    assert response.status_code == (201 if accepted else 422), response.get_json()
