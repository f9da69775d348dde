"""Email through an outbox: written with the action, delivered after the commit."""
