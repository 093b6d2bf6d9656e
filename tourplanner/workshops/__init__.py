"""Workshops: co-creation sessions running side by side within a tour of kind `workshop`."""
