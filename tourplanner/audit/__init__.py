"""Who changed what on tours and bookings."""
