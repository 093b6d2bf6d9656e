"""The one trade search on sites' own words: what the slot catalogue and the tour catalogue filter by."""

from __future__ import annotations

from tourplanner.sites.models import Site
from tourplanner.text import matches_words


def site_matches_trade(site: Site, words: str | None) -> bool:
    """Whether every word of `words` is in the site's sector or trades (accents, case, ligatures ignored)."""
    return matches_words(f"{site.sector or ''}\n{site.trades or ''}", words)
