"""The passeport: the take-home document of a booking's participants after a tour or a session."""
