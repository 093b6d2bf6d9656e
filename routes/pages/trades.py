"""The trades' pages: find the tours showing a trade in every sector; each tour's trades and passerelles."""

from __future__ import annotations

from flask import render_template, request
from flask_login import login_required
from wtforms import StringField
from wtforms.validators import Optional

from routes.pages import pages
from routes.pages.forms import FrenchForm, strip, too_long
from tourplanner.trades import operations
from tourplanner.trades.referential import load


class TradeSearchForm(FrenchForm):
    """A trade to look for."""

    class Meta:
        csrf = False  # a GET search changes nothing

    q = StringField("Métier, code ROME ou famille de métiers", filters=[strip], validators=[Optional(), too_long(100)])


@pages.app_context_processor
def trades_helpers() -> dict[str, object]:
    """What the tour page needs to show its trades and where they lead (tours/detail.html)."""
    return {"tour_trades_shown": operations.trades_shown, "tour_passerelles": operations.passerelles}


@pages.get("/metiers")
@login_required
def trades_search():
    """Search a trade: the tours to come showing it, or a trade of its family, grouped by sector."""
    form = TradeSearchForm(formdata=request.args if request.args else None)
    is_valid = form.validate() if request.args else True
    found = operations.search_tours(form.q.data) if is_valid and form.q.data else None
    by_sector: dict[str, list[operations.TourMatch]] = {}
    if found is not None:
        for match in found.tours:
            for sector in sorted({s for shown in match.trades for s in shown.sectors}):
                by_sector.setdefault(sector, []).append(match)
    referential = load()
    return render_template(
        "trades/search.html",
        form=form,
        found=found,
        by_sector=dict(sorted(by_sector.items())),
        families=sorted(referential.families.values(), key=lambda f: f.label),
        referential=referential,
    ), 200 if is_valid else 422
