"""Reading a mail's HTML part back as text, to compare it with the text part."""

from __future__ import annotations

import re
from html.parser import HTMLParser

URL = re.compile(r"https?://\S+")


class _Visible(HTMLParser):
    """The text a reader sees in the body (paragraphs apart by a blank line, <br> a new line), and the links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self.hrefs: list[str] = []
        self.in_body = False
        self.current: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body":
            self.in_body = True
        elif tag == "p" and self.in_body:
            self.current = []
        elif tag == "br" and self.current is not None:
            self.current.append("\n")
        elif tag == "a":
            self.hrefs += [value for name, value in attrs if name == "href" and value]

    def handle_endtag(self, tag: str) -> None:
        if tag == "p" and self.current is not None:
            self.paragraphs.append("".join(self.current))
            self.current = None
        elif tag == "body":
            self.in_body = False

    def handle_data(self, data: str) -> None:
        if self.current is not None:
            self.current.append(data.replace("\n", ""))
        elif self.in_body:
            assert not data.strip(), f"text outside a paragraph: {data!r}"


def visible(html: str) -> tuple[str, list[str]]:
    """The body's text as the reader sees it, and the addresses of its links."""
    parser = _Visible()
    parser.feed(html.replace("\r\n", "\n"))
    parser.close()
    return "\n\n".join(parser.paragraphs), parser.hrefs


def lines(text: str) -> str:
    """A text part as written, whatever line ends the mail carried (SMTP sends CRLF), without the final one."""
    return text.replace("\r\n", "\n").rstrip("\n")


def urls(text: str) -> list[str]:
    """The addresses written in a text part."""
    return URL.findall(text)
