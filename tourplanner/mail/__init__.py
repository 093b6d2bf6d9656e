"""Outgoing mail through an outbox: nothing is lost when the SMTP server is away."""
