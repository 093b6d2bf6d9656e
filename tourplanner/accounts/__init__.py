"""People, their organisations and their credentials."""
