"""Mail bodies from Jinja templates under `routes/templates/mail/`, beside the pages'.

A mail has its words in `mail/<mail>.txt` (plain text, not escaped); its HTML part is
`mail/<mail>.html` where the mail has one of its own, else `mail/_layout.html`, which shows the text's
paragraphs (autoescaped, addresses as links): both parts carry the same facts. Both are rendered with
the app's Jinja environment, so the mails format dates, times, numbers and plurals with the pages'
filters (`tourplanner.formatting`). Subjects are written by the code that sends the mail and given to
the templates (the HTML page's title).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app


@dataclass(frozen=True)
class MailText:
    """A mail's subject and its two readable bodies: plain text (sent first) and HTML."""

    subject: str
    text: str
    html: str


def compose(mail: str, subject: str, **context: Any) -> MailText:
    """Render the mail `mail` for `subject` and `context` (`name`: the greeted person, or None)."""
    env = current_app.jinja_env
    context.setdefault("name", None)
    context["subject"] = subject
    # One final newline whatever the template's last line, as mail readers expect it.
    text = env.get_template(f"mail/{mail}.txt").render(context).strip("\n") + "\n"
    context["paragraphs"] = text.rstrip("\n").split("\n\n")
    html = env.select_template([f"mail/{mail}.html", "mail/_layout.html"]).render(context)
    return MailText(subject=subject, text=text, html=html.strip("\n") + "\n")
