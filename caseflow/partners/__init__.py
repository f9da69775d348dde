"""The partner network (a directory per centre) and referrals from a case."""
