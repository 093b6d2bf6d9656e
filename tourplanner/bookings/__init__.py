"""Seats booked by prescribers on tours, and the waiting list."""
