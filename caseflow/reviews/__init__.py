"""Reviews: an advisor asks a team lead to look at a case, or to approve its closing."""
