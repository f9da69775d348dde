"""Case notes and their revisions."""
