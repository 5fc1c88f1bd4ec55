"""Field types every record a writer sends is made of (API bodies and CSV rows alike).

Text is sized from the model's own column, so a value either fits that column on every
database or is refused with 422 naming the field: PostgreSQL enforces VARCHAR lengths and
refuses NUL where SQLite stores anything. Identifiers are normalised the same way on every
path, so " CUST-1 " from a CSV file and "CUST-1" from the API are one customer, and a
look-alike with an invisible character is refused rather than made a second customer.
"""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from marshmallow import ValidationError, fields, validate

# Dates a shop's figures can have (outside, date arithmetic for previous periods overflows).
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
# Clocks differ a little; a moment further ahead than this has not happened yet.
CLOCK_SLACK = timedelta(days=1)


def clean_text(value: str, *, identifier: bool = False) -> str:
    """NFC, surrounding whitespace stripped; control characters refused (and for identifiers,
    invisible characters and any space other than a plain one)."""
    text = unicodedata.normalize("NFC", value).strip()
    for character in text:
        category = unicodedata.category(character)
        invisible = category in ("Cf", "Zl", "Zp") or (category == "Zs" and character != " ")
        if category in ("Cc", "Cs") or (identifier and invisible):
            name = unicodedata.name(character, "a control character")
            raise ValidationError(f"contains U+{ord(character):04X} ({name.lower()})")
    return text


class Text(fields.String):
    """One line of text that fits `column` on every database."""

    def __init__(self, column: sa.Column, *, identifier: bool = False, **kwargs) -> None:
        self.identifier = identifier
        length = validate.Length(min=1 if identifier else 0, max=column.type.length)
        validators = [length, *_as_list(kwargs.pop("validate", None))]
        super().__init__(validate=validators, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs) -> str:
        return clean_text(
            super()._deserialize(value, attr, data, **kwargs), identifier=self.identifier
        )


class Identifier(Text):
    """The shop's own id of something; some prefixes are the shop's alone."""

    def __init__(self, column: sa.Column, *, reserved: tuple[str, ...] = (), **kwargs) -> None:
        self.reserved = reserved
        super().__init__(column, identifier=True, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        taken = next((p for p in self.reserved if text.lower().startswith(p)), None)
        if taken:
            raise ValidationError(f"ids starting with {taken!r} are reserved for the shop's own")
        return text


class Email(fields.Email):
    """An email address that fits `column`."""

    def __init__(self, column: sa.Column, **kwargs) -> None:
        super().__init__(validate=validate.Length(max=column.type.length), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs) -> str:
        if isinstance(value, str):
            value = clean_text(value, identifier=True)
        return super()._deserialize(value, attr, data, **kwargs)


def not_in_the_future(moment: datetime) -> None:
    if moment > datetime.now(UTC) + CLOCK_SLACK:
        raise ValidationError("must not be in the future")


class Moment(fields.AwareDateTime):
    """An instant that has happened: ISO 8601 with a UTC offset, from 1900 to now."""

    def __init__(self, **kwargs) -> None:
        validators = [
            validate.Range(min=EARLIEST, error="a time from 1900 on"),
            not_in_the_future,
            *_as_list(kwargs.pop("validate", None)),
        ]
        kwargs.setdefault("metadata", {"description": "ISO 8601 with a UTC offset"})
        super().__init__(validate=validators, **kwargs)


def _as_list(validators) -> list:
    if validators is None:
        return []
    return list(validators) if isinstance(validators, list | tuple) else [validators]
