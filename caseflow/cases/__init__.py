"""Cases, households (persons), status and assignment."""
