"""Pages (being written)."""

from routes.pages import pages  # noqa: F401
