"""Candidates, optimisation and itineraries in the API (filled by the routing work)."""
