"""First-line contacts: short questions logged in a few clicks, most never a case."""
