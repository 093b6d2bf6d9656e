"""The organiser's itinerary page: candidates, optimisation, map, timeline, road book."""

from routes.pages import pages  # noqa: F401
