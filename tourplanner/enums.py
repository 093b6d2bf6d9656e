"""Helpers for storing Python enums as their string values."""

from __future__ import annotations

import enum
from typing import Any

from sqlalchemy import Enum as SAEnum


class LabelledEnum(str, enum.Enum):
    """A string enum whose members carry a French label for the pages."""

    label: str

    def __new__(cls, value: str, label: str) -> LabelledEnum:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    def __str__(self) -> str:
        return self.value


def enum_column(enum_cls: type[enum.Enum]) -> Any:
    """A VARCHAR column holding the enum's values (no database enum type to migrate)."""
    return SAEnum(
        enum_cls,
        native_enum=False,
        length=32,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
        name=enum_cls.__name__.lower(),
    )
