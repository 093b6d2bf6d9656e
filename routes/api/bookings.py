"""Bookings in the API (filled by the bookings work)."""
