"""Weekly cohorts: a series of sessions that one group joins once (the Made in Métal programme)."""
