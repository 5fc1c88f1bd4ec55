"""Password rules for staff logins: long, not guessable from the account, not a common one."""

from __future__ import annotations

MIN_LENGTH = 10
# The most used passwords of that length or more (public breach lists); refused outright.
COMMON = frozenset(
    {
        "1234567890",
        "12345678910",
        "123456789a",
        "qwertyuiop",
        "1q2w3e4r5t",
        "password12",
        "password123",
        "password1234",
        "iloveyou12",
        "qwerty1234",
        "admin12345",
        "letmein123",
        "welcome123",
        "passw0rd12",
        "abcdefghij",
        "0987654321",
        "1111111111",
        "changeme123",
    }
)


def password_problems(password: str, email: str) -> list[str]:
    """What is wrong with a new password (empty when it is acceptable)."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"use at least {MIN_LENGTH} characters")
    lowered = password.lower()
    local_part = email.lower().partition("@")[0]
    if lowered in COMMON:
        problems.append("this is one of the most common passwords")
    if len(local_part) >= 3 and local_part in lowered:
        problems.append("do not use your email address in the password")
    if len(set(password)) < 5:
        problems.append("use at least 5 different characters")
    return problems
