"""Administration: the centre's users and case types (admins only)."""
