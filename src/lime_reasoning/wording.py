"""Counts in messages: "1 cell", "2 cells", "1,024 lines"."""

from __future__ import annotations


def counted(number: int, noun: str) -> str:
    """``number`` with thousands separators and ``noun``, plural (an added s) unless it is exactly one."""
    return f"{number:,} {noun}{'' if number == 1 else 's'}"
