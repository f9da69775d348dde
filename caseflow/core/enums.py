"""Enums in the database."""

import enum

from sqlalchemy import Enum


def str_enum(enum_cls: type[enum.Enum], length: int = 24) -> Enum:
    """Store an enum as its value in a VARCHAR (portable, and readable in SQL)."""
    return Enum(
        enum_cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e]
    )
