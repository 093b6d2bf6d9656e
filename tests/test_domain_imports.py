"""The domain packages never import the calendar: notifications react to change from the calendar side."""

from __future__ import annotations

import ast
from pathlib import Path

import tourplanner

#: The domain packages: they record what changed, the calendar side computes and sends invitations.
DOMAIN_PACKAGES = (
    "tours",
    "bookings",
    "sites",
    "cohorts",
    "company_visits",
    "workshops",
    "impact",
    "kit",
    "passeport",
    "trades",
)
CALENDAR = "tourplanner.calendar"


def _imported_modules(path: Path, package: str) -> list[tuple[int, str]]:
    """(line, module) of every import in the file, relative imports resolved against `package`."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parents = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parents, base] if base else parents)
            found.append((node.lineno, base))
            # `from tourplanner import calendar` names the calendar package too.
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
    return found


def calendar_imports(root: Path) -> list[str]:
    """Where a domain package under `root` imports the calendar, as « path:line »."""
    offences = []
    for name in DOMAIN_PACKAGES:
        for path in sorted((root / name).rglob("*.py")):
            package = ".".join(["tourplanner", *path.relative_to(root).parent.parts])
            lines = {
                line
                for line, module in _imported_modules(path, package)
                if module == CALENDAR or module.startswith(CALENDAR + ".")
            }
            offences += [f"{path.relative_to(root.parent)}:{line}" for line in sorted(lines)]
    return offences


def test_no_domain_package_imports_the_calendar() -> None:
    """No module of tours, bookings, sites, cohorts… imports tourplanner.calendar (absolute, relative or by name)."""
    root = Path(tourplanner.__file__).parent
    assert all((root / name).is_dir() for name in DOMAIN_PACKAGES)
    assert calendar_imports(root) == []


def test_the_check_sees_every_way_of_importing_the_calendar(tmp_path) -> None:
    """The walk catches `import`, `from … import`, a relative import and `from tourplanner import calendar`."""
    root = tmp_path / "tourplanner"
    for name in DOMAIN_PACKAGES:
        (root / name).mkdir(parents=True)
    (root / "tours" / "a.py").write_text("import tourplanner.calendar.ical\n")
    (root / "cohorts" / "b.py").write_text("from tourplanner.calendar.events import tour_events\n")
    (root / "kit" / "c.py").write_text("from ..calendar import ical\n")
    (root / "trades" / "d.py").write_text("from tourplanner import calendar\n")
    (root / "sites" / "e.py").write_text("from tourplanner import formatting\nimport tourplanner.calendarish\n")
    assert calendar_imports(root) == [
        "tourplanner/tours/a.py:1",
        "tourplanner/cohorts/b.py:1",
        "tourplanner/kit/c.py:1",
        "tourplanner/trades/d.py:1",
    ]
