"""Industrial zones, company sites and the visit slots companies offer."""
