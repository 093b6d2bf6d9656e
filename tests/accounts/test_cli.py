"""The contract's CLI: users create, tokens create and revoke."""

from __future__ import annotations

from sqlalchemy import select

from tourplanner.accounts.enums import OrganisationKind, Role
from tourplanner.accounts.models import ApiToken, Organisation, User
from tourplanner.accounts.operations import digest


def test_users_create_prints_the_id_and_creates_the_organisation(runner, db) -> None:
    """`users create` prints the new id; the organisation is created if new, reused after."""
    result = runner.invoke(
        args=[
            "users",
            "create",
            "Alice@Example.fr",
            "--role",
            "prescriber",
            "--name",
            "Alice Martin",
            "--organisation",
            "Mission locale de Lyon",
        ]
    )
    assert result.exit_code == 0, result.output
    user = db.session.get(User, int(result.output.strip()))
    assert user.email == "alice@example.fr"
    assert user.role is Role.PRESCRIBER
    assert user.organisation.name == "Mission locale de Lyon"
    again = runner.invoke(
        args=[
            "users",
            "create",
            "bob@example.fr",
            "--role",
            "prescriber",
            "--name",
            "Bob",
            "--organisation",
            "Mission locale de Lyon",
        ]
    )
    assert again.exit_code == 0
    assert db.session.scalar(select(db.func.count()).select_from(Organisation)) == 1


def test_company_users_get_a_company_organisation(runner, db) -> None:
    """A new organisation takes the kind that fits the role."""
    result = runner.invoke(
        args=["users", "create", "c@usine.fr", "--role", "company", "--name", "C", "--organisation", "Usinage du Gier"]
    )
    user = db.session.get(User, int(result.output.strip()))
    assert user.organisation.kind is OrganisationKind.COMPANY


def test_users_create_refuses_a_bad_role_and_a_duplicate(runner) -> None:
    """Unknown role and an existing address fail with a message, not a traceback."""
    bad = runner.invoke(args=["users", "create", "x@example.fr", "--role", "boss", "--name", "X"])
    assert bad.exit_code != 0
    assert "boss" in bad.output
    runner.invoke(args=["users", "create", "x@example.fr", "--role", "organiser", "--name", "X"])
    dup = runner.invoke(args=["users", "create", "X@example.fr", "--role", "organiser", "--name", "X"])
    assert dup.exit_code == 1
    assert "existe déjà" in dup.output
    invalid = runner.invoke(args=["users", "create", "not-an-address", "--role", "organiser", "--name", "X"])
    assert invalid.exit_code == 1


def test_tokens_create_prints_the_token_alone_and_stores_its_digest(runner, db, make_user, client) -> None:
    """The token is printed alone on one line, kept only hashed, and opens the API."""
    user = make_user(Role.ORGANISER, email="orga@example.fr")
    result = runner.invoke(args=["tokens", "create", "orga@example.fr"])
    assert result.exit_code == 0
    token = result.output.strip()
    assert result.output == token + "\n" and " " not in token
    stored = db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)).one()
    assert stored.token_hash == digest(token) and token not in stored.token_hash
    assert client.get("/api/v1/tours", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_tokens_revoke_closes_the_api(runner, make_user, client) -> None:
    """A revoked token gets 401."""
    make_user(Role.ORGANISER, email="orga@example.fr")
    token = runner.invoke(args=["tokens", "create", "orga@example.fr"]).output.strip()
    revoked = runner.invoke(args=["tokens", "revoke", "orga@example.fr"])
    assert revoked.output.strip() == "1"
    response = client.get("/api/v1/tours", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"


def test_tokens_create_for_an_unknown_user_fails(runner) -> None:
    """No user, no token."""
    result = runner.invoke(args=["tokens", "create", "nobody@example.fr"])
    assert result.exit_code == 1


def test_inactive_users_cannot_use_their_token(make_user, token_for, client, db) -> None:
    """Deactivating a user closes the API to them."""
    user = make_user(Role.ORGANISER)
    token = token_for(user)
    user.is_active = False
    db.session.commit()
    assert client.get("/api/v1/tours", headers={"Authorization": f"Bearer {token}"}).status_code == 401
