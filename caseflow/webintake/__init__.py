"""Asking for help online: the public request form that opens a case in the intake queue."""
