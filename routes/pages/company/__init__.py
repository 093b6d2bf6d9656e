"""The company contacts' pages (/entreprise), one module per resource: sites, slots, series, visits."""

from routes.pages.company import home, series, sites, slots, visits  # noqa: F401  (route definitions)
