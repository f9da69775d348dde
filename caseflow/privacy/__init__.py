"""Privacy by design (GDPR): subject access (export.py), erasure (erasure.py) and
retention (retention.py)."""
