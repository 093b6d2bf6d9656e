"""An invitation through a real SMTP server: text, then HTML with the same facts, then the iTIP part."""

from __future__ import annotations

from tests.mail.mail_parts import lines, urls, visible
from tests.mail.smtp_sink import invitation_of
from tourplanner.accounts.enums import Role
from tourplanner.mail.operations import deliver_pending

NASTY = "<script>alert(1)</script> Roux"


def test_a_participants_invitation_has_an_escaped_html_part_with_the_text_facts(
    mailbox, make_tour, make_user, make_site, add_stop, book, db
):
    """text/plain, text/html, text/calendar in that order; the HTML reads as the text, the name escaped there."""
    tour = make_tour(published=True)
    add_stop(tour, make_site(name="Aciéries <b>du Gier</b>"), hour=10)
    book(tour, make_user(Role.PRESCRIBER), seats=1, participants=[(NASTY, "nina@example.fr")])
    deliver_pending()

    [received] = mailbox.to("nina@example.fr")
    assert [part.get_content_type() for part in received.message.iter_parts()] == [
        "text/plain",
        "text/html",
        "text/calendar",
    ]
    invite = invitation_of(received)
    assert invite.method_param == "REQUEST"
    assert f"Bonjour {NASTY}," in invite.text and "10h00  Aciéries <b>du Gier</b>" in invite.text
    assert "<script>" not in invite.html and "<b>" not in invite.html
    assert "Bonjour &lt;script&gt;alert(1)&lt;/script&gt; Roux," in invite.html
    shown, hrefs = visible(invite.html)
    assert shown == lines(invite.text)
    assert sorted(set(hrefs)) == sorted(set(urls(invite.text)))
