"""Pages of a long list on the pages: which page the address asks for, and the links to the others."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, request, url_for

from tourplanner.pagination import PageRequest

#: The query parameter holding a page's cursor.
PAGE_PARAMETER = "page"


def page_request() -> PageRequest:
    """The page the address asks for: LIST_PAGE_SIZE rows after its `page` cursor (none: the first page)."""
    cursor = request.args.get(PAGE_PARAMETER) or None
    return PageRequest(limit=current_app.config["LIST_PAGE_SIZE"], cursor=cursor)


@dataclass(frozen=True)
class PageLinks:
    """The « Page suivante » and « Première page » links of a list (None where there is none)."""

    next_url: str | None
    first_url: str | None


def page_links(next_cursor: str | None) -> PageLinks:
    """Links to the next page (same filters, the next cursor) and back to the first one."""
    args = {key: value for key, value in request.args.items() if key != PAGE_PARAMETER}
    view_args = request.view_args or {}
    next_url = url_for(request.endpoint or "", **view_args, **args, page=next_cursor) if next_cursor else None
    first_url = url_for(request.endpoint or "", **view_args, **args) if request.args.get(PAGE_PARAMETER) else None
    return PageLinks(next_url, first_url)
