"""Tours: their buses, itineraries and ambassadors."""
