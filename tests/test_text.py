"""The one way texts are compared: accents, case, ligatures, apostrophes and spaces do not matter."""

from __future__ import annotations

import pytest

from tourplanner.sites.models import Site
from tourplanner.text import fold, matches_words
from tourplanner.trades.referential import load
from tourplanner.trades.search import site_matches_trade


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        ("metallurgie", "Métallurgie"),
        ("ELECTRICITE", "électricité"),
        ("oeuvre", "Œuvre"),
        ("ex aequo", "ex æquo"),
        ("l'usinage", "l’usinage"),
        ("l'usinage", "lʼusinage"),
        ("conduite de ligne", "  Conduite   de\tligne "),
        ("strasse", "Straße"),
        ("", None),
    ],
)
def test_what_people_type_folds_like_what_was_written(typed: str, written: str | None) -> None:
    """A text typed without accents, capitals, ligatures or curly apostrophes folds like the written one."""
    assert fold(typed) == fold(written)


def test_fold_keeps_what_makes_words_different() -> None:
    """Folding removes marks, not letters: different words stay different."""
    assert fold("Pâte") != fold("Pâté de tête")
    assert fold("côte") == "cote" and fold("cœur") == "coeur"


def test_every_word_must_appear_in_any_order() -> None:
    """A search matches when all its words are found, in any order; no words match everything."""
    assert matches_words("Conduite de ligne d'embouteillage", "ligne CONDUITE")
    assert not matches_words("Conduite de ligne", "ligne soudure")
    assert matches_words("Soudure", "   ")


def test_the_trade_search_of_a_site_reads_its_sector_and_trades() -> None:
    """A site's sector and trade lines are what the catalogues' trade filter searches."""
    site = Site(name="Usine", address="1 rue", sector="Métallurgie", trades="H2913 Soudage manuel\nCœur de métier")
    assert site_matches_trade(site, "metallurgie soudage")
    assert site_matches_trade(site, "coeur")
    assert not site_matches_trade(site, "plasturgie")


def test_the_rome_referential_uses_the_same_search() -> None:
    """The referential finds a trade from any order of its words, without accents or straight apostrophes."""
    codes = {trade.code for trade in load().search("alimentaire production conduite d’equipement")}
    assert "H2102" in codes
    assert load().search("  ") == []
