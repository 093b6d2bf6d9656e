"""Ambassadeurs des métiers: small-group company visits with a three-step agenda and a debriefing."""
