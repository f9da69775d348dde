"""Small shared helpers: time, countries, domain errors."""
