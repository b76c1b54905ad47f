"""Counts in messages read as English: one cell, two cells."""

from lime_reasoning.wording import counted


def test_counted() -> None:
    assert counted(1, "cell") == "1 cell"
    assert counted(0, "cell") == "0 cells"
    assert counted(2, "finished cell") == "2 finished cells"
    assert counted(1234, "line") == "1,234 lines"
