"""Sites and visit slots in the API (filled by the companies work)."""
