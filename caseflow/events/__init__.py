"""The welcome community's events (issue 15): events of the centre, their calendar."""
