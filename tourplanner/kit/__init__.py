"""A territory's set-up (zones, sites without personal data, tour templates) as a file another territory imports."""
