"""Text as people type it: the one way texts are compared and searched (accents, case, ligatures, apostrophes)."""

from __future__ import annotations

import unicodedata

#: Letters Unicode does not decompose but French readers take for two: « œuvre » is found by "oeuvre".
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ﬁ": "fi", "ﬂ": "fl"})
#: Typographic apostrophes and quotes typed for "'" (« l’usinage » is "l'usinage").
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "′": "'", "`": "'", "´": "'"})


def fold(text: str | None) -> str:
    """`text` lower-cased, without accents, ligatures or repeated spaces, one apostrophe: how texts are compared.

    "  Œuvre d’ÉLECTRICITÉ " and "oeuvre d'electricite" fold to the same text.
    """
    lowered = (text or "").casefold().translate(_LIGATURES).translate(_APOSTROPHES)
    decomposed = unicodedata.normalize("NFKD", lowered)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.split())


def matches_words(haystack: str | None, words: str | None) -> bool:
    """Whether every word of `words` appears in `haystack`, folded (no words: everything matches).

    The one text search of tourplanner: the trades of the catalogues and the ROME referential use it.
    """
    wanted = fold(words).split()
    if not wanted:
        return True
    folded = fold(haystack)
    return all(word in folded for word in wanted)
