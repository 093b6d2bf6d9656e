"""iCalendar invitations and personal calendar feeds."""
