"""The demo data set (placeholder until the demo issue lands)."""


def load_demo() -> str:
    """Load the demo data; idempotent."""
    return "demo: nothing yet"
