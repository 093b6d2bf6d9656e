"""The signed-in user's own resources in the API (filled by the calendar work)."""
