"""Demo: the two demo organisers each manage their own territory's tours."""

from __future__ import annotations

from sqlalchemy import select

from tourplanner import demo
from tourplanner.accounts.models import User
from tourplanner.demo_data import DEMO_DOMAIN
from tourplanner.tours.enums import TourStatus
from tourplanner.tours.models import Tour
from tourplanner.tours.queries import manages_tour, visible_tours


def test_demo_organisers_each_manage_their_own_territory(db) -> None:
    """Claire (Lyon Est) manages the Lyon tours, Julien (Vallée du Gier) his own; neither sees the other's draft."""
    demo.load_demo()
    db.session.commit()
    claire = db.session.scalar(select(User).where(User.email == f"claire.dumont@{DEMO_DOMAIN}"))
    julien = db.session.scalar(select(User).where(User.email == f"julien.ferrand@{DEMO_DOMAIN}"))
    tours = db.session.scalars(select(Tour)).all()
    gier = [t for t in tours if t.title.startswith("ZI Tour Vallée du Gier")]
    lyon = [t for t in tours if t.title.startswith("ZI Tour Lyon Est")]
    assert gier and lyon
    assert all(manages_tour(julien, t) and not manages_tour(claire, t) for t in gier)
    assert all(manages_tour(claire, t) and not manages_tour(julien, t) for t in lyon)
    drafts = [t for t in gier if t.status is TourStatus.DRAFT]
    assert drafts
    assert not set(drafts) & set(visible_tours(claire, upcoming_only=False))
    assert set(drafts) <= set(visible_tours(julien, upcoming_only=False))
