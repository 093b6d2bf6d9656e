"""Trades: the ROME referential shipped with tourplanner, the trades sites and tours show, passerelles between
sectors."""
