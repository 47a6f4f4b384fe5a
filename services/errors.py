"""Errors the domain raises. Resolvers turn them into GraphQL errors or payload errors."""

from __future__ import annotations

from enum import StrEnum


class DomainError(Exception):
    """An expected failure of a rule (already signed in, wrong PIN). Nothing was written.

    ``code`` is a member of the raising module's ``<Domain>ErrorCode`` enum, never a bare
    string: the schema builds each payload's error-code enum from those enums, and
    tests/security/test_error_codes.py proves every code a mutation can raise is in its
    payload's enum.
    """

    def __init__(self, code: StrEnum, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


class DomainErrors(Exception):
    """Several rule failures found at once (one per child in a group sign-in)."""

    def __init__(self, errors: list[DomainError]) -> None:
        super().__init__("; ".join(e.message for e in errors))
        self.errors = errors


class NotFound(Exception):
    """The object does not exist or the caller may not see it: the same answer for both."""

    def __init__(self, what: str) -> None:
        super().__init__(f"{what} not found.")
        self.what = what


class InvalidInput(Exception):
    """Input whose shape is wrong (length, format, range), reported as BAD_USER_INPUT."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field
