"""Checklists: per-person Belgian steps from admin-editable templates, with deadlines."""
