"""Domain errors raised by services and turned into messages by routes."""


class DomainError(Exception):
    """A rule of the domain refused an action; ``str(error)`` is a translated message."""


class ConflictError(DomainError):
    """Someone else changed the record since the form was loaded (optimistic locking)."""
