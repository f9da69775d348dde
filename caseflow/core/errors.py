"""Domain errors raised by services and turned into messages by routes."""


class DomainError(Exception):
    """A rule of the domain refused an action; ``str(error)`` is a translated message."""


class ConflictError(DomainError):
    """Someone else changed the record since the form was loaded (optimistic locking)."""


def http_status(error: DomainError) -> int:
    """409 for a conflict with someone else's change, 400 for any other refusal."""
    return 409 if isinstance(error, ConflictError) else 400
