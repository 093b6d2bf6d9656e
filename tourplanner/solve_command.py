"""`tourplanner solve`: the routing engine on a standard instance file, without the web app.

Kept out of ``cli`` so that running it imports neither Flask nor SQLAlchemy: the time
limit bounds the whole command, start-up included (``console`` routes to it directly).
"""

from __future__ import annotations

import json

import click


@click.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["solomon"]), required=True)
@click.option("--time-limit", type=click.FloatRange(min=0.1), default=10.0, show_default=True)
@click.option(
    "--engine",
    type=click.Choice(["pyvrp", "ortools"]),
    default="pyvrp",
    show_default=True,
    help="pyvrp: PyVRP's search; ortools: OR-Tools' iterated local search (OR-Tools: the engine of the app's tours).",
)
def solve(file: str, fmt: str, time_limit: float, engine: str) -> None:
    """Solve a standard routing instance; prints the solution as JSON."""
    from tourplanner.routing.solomon import process_started_at, solve_solomon_file

    # Start-up and imports are taken from the search, not added to the limit.
    try:
        result = solve_solomon_file(file, time_limit, started=process_started_at(), engine=engine)
    except ValueError as error:  # an unreadable instance: say why, no traceback
        raise click.ClickException(str(error)) from error
    click.echo(json.dumps(result))
