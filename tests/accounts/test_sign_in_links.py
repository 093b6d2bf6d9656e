"""Sign-in links: queued after the answer, spent once, voided by newer ones, redacted once mailed."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from tests.pages.helpers import login_link_path, text_of
from tests.sql_statements import sql_statements
from tourplanner import jobs
from tourplanner.accounts.enums import Role
from tourplanner.accounts.models import LoginLink, LoginRequest
from tourplanner.accounts.operations import create_login_link, use_login_link
from tourplanner.errors import NotFound
from tourplanner.mail.models import OutboxMail


def statements_of(db, do) -> list[str]:
    """The SQL statements (text, not values) run while `do()` runs."""
    with sql_statements(db.engine) as seen:
        do()
    return seen


def mails(db) -> int:
    """How many mails the outbox holds."""
    return db.session.scalar(select(func.count()).select_from(OutboxMail))


def test_the_request_does_the_same_work_for_known_and_unknown_addresses(client, db, make_user):
    """Answering POST /connexion runs the very same statements for an account's address and nobody's: one INSERT."""
    make_user(Role.PRESCRIBER, email="claire@example.fr")

    def ask(email: str):
        def do() -> None:
            response = client.post("/connexion", data={"email": email})  # not closed: the answer only
            assert response.status_code == 200 and "Consultez votre messagerie" in text_of(response)

        return do

    client.get("/connexion")  # warm up: the first request loads templates
    known = statements_of(db, ask("claire@example.fr"))
    unknown = statements_of(db, ask("personne@example.fr"))
    assert known == unknown
    assert any(s.startswith("INSERT INTO login_requests") for s in known)
    touched = " ".join(known)
    assert "users" not in touched and "login_links" not in touched and "outbox_mails" not in touched
    assert mails(db) == 0
    # The work happens afterwards (the scheduler's job here, the server after its answer otherwise).
    assert jobs.send_login_links() == 1
    assert mails(db) == 1
    assert db.session.scalar(select(func.count()).select_from(LoginRequest)) == 0


def test_a_new_link_voids_the_earlier_ones(client, make_user):
    """Asking twice: only the second link works; the first answers the French 404."""
    user = make_user(Role.PRESCRIBER)
    client.post("/connexion", data={"email": user.email})
    first = login_link_path(user.email)
    client.post("/connexion", data={"email": user.email})
    second = login_link_path(user.email)
    assert first != second
    refused = client.post(first)
    assert refused.status_code == 404 and "plus valable" in text_of(refused)
    assert client.post(second).status_code == 302


def test_signing_in_voids_the_other_links(app, db, make_user):
    """Signing in with one link spends every other link the person still had."""
    user = make_user(Role.COMPANY)
    older = create_login_link(user, timedelta(minutes=10))
    newer = create_login_link(user, timedelta(minutes=10))
    # Both alive at once (as two requests handled side by side could leave them): signing in ends both.
    db.session.execute(update(LoginLink).where(LoginLink.user_id == user.id).values(used_at=None))
    db.session.commit()
    assert use_login_link(newer).id == user.id
    db.session.commit()
    with pytest.raises(NotFound):
        use_login_link(older)
    assert db.session.scalar(select(func.count()).select_from(LoginLink).where(LoginLink.used_at.is_(None))) == 0


def test_a_link_is_refused_once_expired(app, db, make_user):
    """A link past its lifetime does not sign in."""
    user = make_user(Role.PRESCRIBER)
    token = create_login_link(user, timedelta(minutes=-1))
    db.session.commit()
    with pytest.raises(NotFound):
        use_login_link(token)


def test_unknown_address_queues_nothing_to_send(client, db):
    """A request for nobody's address is dropped by the job: no mail, no link, no row left."""
    client.post("/connexion", data={"email": "personne@example.fr"})
    assert jobs.send_login_links() == 0
    assert mails(db) == 0
    assert db.session.scalar(select(func.count()).select_from(LoginRequest)) == 0


class TestMailed:
    """With a real SMTP server: the link leaves by mail, and the outbox keeps no usable copy."""

    @pytest.fixture
    def config_overrides(self, mailbox):
        """Send mail to the test server, at once after each request."""
        return {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": mailbox.port, "MAIL_DELIVERY": "sync"}

    def test_the_outbox_keeps_a_redacted_copy_once_sent(self, client, db, make_user, mailbox):
        """The mail carries the link (text and HTML); once it has left, the stored body has no link and says it was
        removed, and its HTML copy is gone."""
        user = make_user(Role.PRESCRIBER, name="Claire Martin")
        with client.post("/connexion", data={"email": user.email}) as response:
            assert response.status_code == 200
        [received] = mailbox.wait_for(1)
        text = received.message.get_body(("plain",)).get_content()
        path = re.search(r"http://tourplanner\.test(/connexion/\S+)", text).group(1)
        assert f'href="http://tourplanner.test{path}"' in received.message.get_body(("html",)).get_content()
        mail = db.session.scalars(select(OutboxMail)).one()
        assert mail.sent_at is not None
        assert "/connexion/" not in mail.body_text and mail.redacted_text is None
        assert mail.body_html is None  # the HTML copy held the link too
        assert "Bonjour Claire Martin" in mail.body_text and "[lien retiré après l'envoi]" in mail.body_text
        assert client.post(path).status_code == 302  # the mailed link itself still works, once
