"""A personal iCalendar feed of a user's follow-ups and due checklist steps."""
