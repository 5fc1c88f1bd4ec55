"""Splitting an amount of money over parts in whole minor units, one rule everywhere."""

from __future__ import annotations

from collections.abc import Sequence


def spread(amount: int, weights: Sequence[int]) -> list[int]:
    """`amount` in whole minor units in proportion to `weights` (largest remainder; equal
    remainders go to the earlier weight). Each share is at most its weight when the amount
    is at most their sum."""
    total = sum(weights)
    if total == 0:
        shares = [0] * len(weights)
        if weights:
            shares[0] = amount
        return shares
    shares = [amount * weight // total for weight in weights]
    remainders = sorted(range(len(weights)), key=lambda i: (-(amount * weights[i] % total), i))
    for index in remainders[: amount - sum(shares)]:
        shares[index] += 1
    return shares
