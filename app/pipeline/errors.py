"""Why a write is refused: the exceptions every writer of the pipeline shares."""

from __future__ import annotations


class IngestConflict(Exception):
    """An external id arrived again with different content."""

    def __init__(self, conflicts: dict[str, str]) -> None:
        super().__init__("conflicting resubmission")
        self.conflicts = conflicts


class UnknownReference(Exception):
    """A record names something we have not received (by the record's id)."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("unknown reference")
        self.errors = errors


class LinesRefused(Exception):
    """Lines that cannot be true for their order (422, naming the order and the reason)."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("lines refused")
        self.errors = errors
