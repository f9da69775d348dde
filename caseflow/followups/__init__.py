"""Follow-ups: planned actions on cases, and the follow-up lists."""
