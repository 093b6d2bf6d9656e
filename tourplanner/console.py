"""The `tourplanner` console script: `solve` directly, everything else through the Flask CLI."""

from __future__ import annotations

import sys


def main(args: list[str] | None = None) -> None:
    """Run `tourplanner ARGS`; `solve` skips loading Flask and the app (seconds of its limit)."""
    args = sys.argv[1:] if args is None else list(args)
    if args[:1] == ["solve"]:
        from tourplanner.solve_command import solve

        solve.main(args[1:], prog_name="tourplanner solve")
    else:
        from tourplanner.cli import main as flask_main

        flask_main.main(args, prog_name="tourplanner")
