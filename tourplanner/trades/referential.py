"""The ROME referential shipped in `data/rome.csv`: codes, French labels, sectors and passerelle families.

Pure: reads the files once, knows nothing of Flask or the database.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from tourplanner.text import fold, matches_words

DATA_DIR = Path(__file__).parent / "data"
#: A ROME code: a letter of the domain (A to N) and four digits, e.g. H2903.
ROME_CODE = re.compile(r"^[A-N]\d{4}$")


@dataclass(frozen=True)
class RomeTrade:
    """A ROME job sheet: its code, French label, the sectors it is met in, its passerelle family."""

    code: str
    label: str
    sectors: tuple[str, ...]
    #: Same family = the same know-how in another sector (none: no passerelle known).
    family: str | None


@dataclass(frozen=True)
class Family:
    """A know-how shared across sectors (conducteur de ligne, technicien de maintenance…)."""

    key: str
    label: str


@dataclass(frozen=True)
class Referential:
    """The trades referential, with where it comes from."""

    trades: dict[str, RomeTrade]
    families: dict[str, Family]
    source: str
    date: str

    def get(self, code: str) -> RomeTrade | None:
        """The trade of this code (case-insensitive), or None."""
        return self.trades.get(code.strip().upper())

    def family_of(self, code: str) -> Family | None:
        """The passerelle family of a code, or None."""
        trade = self.get(code)
        return self.families.get(trade.family) if trade is not None and trade.family else None

    def family_members(self, family: str) -> list[RomeTrade]:
        """The trades of a family, by code."""
        return [t for t in self.trades.values() if t.family == family]

    def search(self, text: str) -> list[RomeTrade]:
        """Trades whose code, label or family label contain every word of `text` (accents and case ignored)."""
        if not fold(text):
            return []
        found = []
        for trade in self.trades.values():
            family = self.families.get(trade.family or "")
            haystack = [trade.code, trade.label] + ([family.label] if family else [])
            if any(matches_words(item, text) for item in haystack):
                found.append(trade)
        return found


def _rows(path: Path) -> tuple[list[dict[str, str]], dict[str, str]]:
    """The rows of a `;` CSV and its `# key: value` header comments."""
    meta: dict[str, str] = {}
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            key, sep, value = line[1:].partition(":")
            if sep and key.strip() in ("source", "date"):
                meta[key.strip()] = value.strip()
            continue
        if line.strip():
            lines.append(line)
    return list(csv.DictReader(lines, delimiter=";")), meta


@lru_cache(maxsize=1)
def load() -> Referential:
    """The referential shipped with tourplanner, read once per process."""
    rows, meta = _rows(DATA_DIR / "rome.csv")
    family_rows, _ = _rows(DATA_DIR / "families.csv")
    families = {row["family"]: Family(row["family"], row["label"]) for row in family_rows}
    trades = {}
    for row in rows:
        code = row["code"].strip()
        if not ROME_CODE.match(code):
            raise ValueError(f"rome.csv: code ROME invalide {code!r}")
        family = row["family"].strip() or None
        if family is not None and family not in families:
            raise ValueError(f"rome.csv: famille inconnue {family!r} pour {code}")
        trades[code] = RomeTrade(code, row["label"].strip(), tuple(s for s in row["sectors"].split("|") if s), family)
    return Referential(trades, families, source=meta.get("source", ""), date=meta.get("date", ""))
