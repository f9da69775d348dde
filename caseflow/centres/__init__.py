"""Centres: the welcome services; every user and case belongs to one."""
