"""The `tourplanner` console script: `solve` directly, everything else through the Flask CLI."""

from __future__ import annotations

import os
import sys


def main(args: list[str] | None = None) -> None:
    """Run `tourplanner ARGS`; `solve` skips loading Flask and the app (seconds of its limit)."""
    args = sys.argv[1:] if args is None else list(args)
    if args[:1] != ["solve"]:
        from tourplanner.cli import main as flask_main

        flask_main.main(args, prog_name="tourplanner")
        return
    from tourplanner.solve_command import solve

    try:
        solve.main(args[1:], prog_name="tourplanner solve")
        code = 0
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    sys.stdout.flush()
    sys.stderr.flush()
    # The answer is out and nothing is left to clean up: skip the interpreter's teardown of
    # OR-Tools and numpy, which takes up to a second of the time limit on a loaded machine.
    os._exit(code)
