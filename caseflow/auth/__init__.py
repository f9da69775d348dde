"""Users, roles, login and the access rules (permissions.py)."""
