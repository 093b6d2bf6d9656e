"""Trades in the API: the ROME referential, the tours showing a trade in every sector, a tour's trades and
passerelles."""

from __future__ import annotations

from typing import Any

from flask import jsonify
from pydantic import BaseModel, ConfigDict, Field
from spectree import Response

from routes.api import api, current_user, spec
from routes.api.schemas import Body, Problem, ValidationProblem
from routes.api.tours import load_tour, load_visible_tour
from tourplanner.extensions import db
from tourplanner.timeutil import isoformat_local
from tourplanner.trades import operations
from tourplanner.trades.referential import RomeTrade, load

ERRORS = {"HTTP_401": Problem, "HTTP_403": Problem, "HTTP_404": Problem}


class TradeQuery(BaseModel):
    """A word of a trade, its ROME code or its family ("conducteur de ligne", "H2102", "maintenance")."""

    model_config = ConfigDict(extra="ignore")

    q: str = Field(default="", max_length=100)


class TradeOut(BaseModel):
    """A trade of the referential."""

    model_config = ConfigDict(extra="allow")

    code: str
    label: str
    sectors: list[str] = Field(default_factory=list, description="the sectors where this trade is practised")
    family: str | None = Field(default=None, description="its passerelle family, shared across sectors")
    family_label: str | None = None


class TradeShownOut(TradeOut):
    """A trade a tour shows, with the companies showing it."""

    companies: list[str] = Field(default_factory=list)


class TradeElsewhereOut(TradeOut):
    """The same trade, or one of its family, in another sector."""

    sector: str


class PasserelleOut(TradeOut):
    """A trade of the tour and where it leads in other sectors."""

    elsewhere: list[TradeElsewhereOut] = Field(default_factory=list)


class TourMatchOut(BaseModel):
    """A tour to come showing the trade searched."""

    id: int
    title: str
    kind: str
    status: str
    start: str
    trades: list[TradeShownOut]


class TradeList(BaseModel):
    """Trades of the referential, with its source and date."""

    model_config = ConfigDict(extra="allow")

    trades: list[TradeOut]
    source: str
    date: str


class TradeSearchOut(BaseModel):
    """The tours showing a trade, in every sector."""

    model_config = ConfigDict(extra="allow")

    query: str = Field(default="", description="the text searched")
    trades: list[TradeOut]
    sectors: list[str]
    tours: list[TourMatchOut]


class TourTradesIn(Body):
    """The ROME codes a tour is about (besides those of the sites it visits)."""

    codes: list[str] = Field(max_length=100)


class TourTradesOut(BaseModel):
    """A tour's trades and where they lead elsewhere."""

    model_config = ConfigDict(extra="allow")

    tour_id: int
    trades: list[TradeShownOut]
    passerelles: list[PasserelleOut]


def trade_json(trade: RomeTrade) -> dict[str, Any]:
    """A trade of the referential as the API shows it."""
    family = load().families.get(trade.family or "")
    return {
        "code": trade.code,
        "label": trade.label,
        "sectors": list(trade.sectors),
        "family": trade.family,
        "family_label": family.label if family else None,
    }


def shown_json(shown: operations.TradeShown) -> dict[str, Any]:
    """A trade a tour shows."""
    return {**trade_json(shown.trade), "sectors": list(shown.sectors), "companies": list(shown.sites)}


def tour_trades_json(tour_id: int) -> dict[str, Any]:
    """A tour's trades and passerelles, as the caller may read the tour (a draft: its organisers only)."""
    tour = load_visible_tour(tour_id)
    return {
        "tour_id": tour.id,
        "trades": [shown_json(s) for s in operations.trades_shown(tour)],
        "passerelles": [
            {
                **trade_json(p.trade),
                "elsewhere": [{"sector": sector, **trade_json(trade)} for sector, trade in p.elsewhere],
            }
            for p in operations.passerelles(tour)
        ],
    }


@api.get("/trades")
@spec.validate(query=TradeQuery, resp=Response(HTTP_200=TradeList, **ERRORS), tags=["trades"])
def list_trades(query: TradeQuery):
    """The ROME referential shipped with tourplanner (all of it, or the trades matching `q`), with its source and
    date."""
    referential = load()
    trades = referential.search(query.q) if query.q.strip() else list(referential.trades.values())
    return jsonify({"trades": [trade_json(t) for t in trades], "source": referential.source, "date": referential.date})


@api.get("/trades/tours")
@spec.validate(query=TradeQuery, resp=Response(HTTP_200=TradeSearchOut, **ERRORS), tags=["trades"])
def tours_by_trade(query: TradeQuery):
    """Tours to come showing a trade matching `q` — or one of its passerelles — in every sector."""
    found = operations.search_tours(query.q)
    return jsonify(
        {
            "query": query.q,
            "trades": [trade_json(t) for t in found.trades],
            "sectors": found.sectors,
            "tours": [
                {
                    "id": match.tour.id,
                    "title": match.tour.title,
                    "kind": match.tour.kind.value,
                    "status": match.tour.status.value,
                    "start": isoformat_local(match.tour.start_at),
                    "trades": [shown_json(s) for s in match.trades],
                }
                for match in found.tours
            ],
        }
    )


@api.get("/tours/<int:tour_id>/trades")
@spec.validate(resp=Response(HTTP_200=TourTradesOut, **ERRORS), tags=["trades"])
def get_tour_trades(tour_id: int):
    """The trades a tour shows (its sites' and its own), and for each where it leads in other sectors."""
    return jsonify(tour_trades_json(tour_id))


@api.put("/tours/<int:tour_id>/trades")
@spec.validate(
    json=TourTradesIn, resp=Response(HTTP_200=TourTradesOut, HTTP_422=ValidationProblem, **ERRORS), tags=["trades"]
)
def put_tour_trades(tour_id: int, json: TourTradesIn):
    """Tag a tour with ROME codes (organisers); an unknown code: 422 naming it."""
    operations.set_tour_trades(load_tour(tour_id), json.codes, current_user())
    db.session.commit()
    return jsonify(tour_trades_json(tour_id))
