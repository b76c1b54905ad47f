"""The proving tests' toy database and a proposer that is a fixed table of proposals."""

from __future__ import annotations

import subprocess
from pathlib import Path

TOY = """$( toy.mm: implication, two axioms and modus ponens, for lime-reasoning's proving tests. $)
  $c ( ) -> wff |- $.
  $v ph ps ch $.
  wph $f wff ph $.
  wps $f wff ps $.
  wch $f wff ch $.
  wi $a wff ( ph -> ps ) $.
  ax-1 $a |- ( ph -> ( ps -> ph ) ) $.
  ax-2 $a |- ( ( ph -> ( ps -> ch ) ) -> ( ( ph -> ps ) -> ( ph -> ch ) ) ) $.
  ${
    min $e |- ph $.
    maj $e |- ( ph -> ps ) $.
    ax-mp $a |- ps $.
  $}
  ${
    a1i.1 $e |- ph $.
    a1i $p |- ( ps -> ph ) $= wph wps wph wi a1i.1 wph wps ax-1 ax-mp $.
  $}
  id $p |- ( ph -> ph ) $= ? $.
"""

# Hand-derived proof of id (five expansions, in the sorted order of the open goals):
# |- ( ph -> ph )                          by ax-mp from A and B; B sorts first ("( (" < "( ph")
# B |- ( ( ph -> ( ph -> ph ) ) -> ( ph -> ph ) )   by ax-mp from C and D
# D |- ( ( ph -> ( ( ph -> ph ) -> ph ) ) -> ( ( ph -> ( ph -> ph ) ) -> ( ph -> ph ) ) )   by ax-2
# C |- ( ph -> ( ( ph -> ph ) -> ph ) )   by ax-1
# A |- ( ph -> ( ph -> ph ) )             by ax-1
ID_TABLE: dict[str, list[tuple[str, float]]] = {
    "|- ( ph -> ph )": [
        ("ax-1 $s ph ph $s ps ph", -0.01),  # does not yield the goal
        ("ax-mp $s ph ( ph -> ph ) $s ps ( ph -> ph )", -0.02),  # leaves the goal itself: circular
        ("ax-mp $s ph ( ph -> $s ps", -0.03),  # not a well-formed substitution
        ("$s ph ph", -0.035),  # not a target at all
        ("ax-mp $s ph ps $s ps ( ph -> ph )", -0.04),  # correct, but leaves |- ps: not a tautology
        ("ax-mp $s ph ( ph -> ( ph -> ph ) ) $s ps ( ph -> ph )", -0.5),
    ],
    "|- ( ( ph -> ( ph -> ph ) ) -> ( ph -> ph ) )": [
        ("ax-mp $s ph ( ph -> ( ( ph -> ph ) -> ph ) ) $s ps ( ( ph -> ( ph -> ph ) ) -> ( ph -> ph ) )", -0.5),
    ],
    "|- ( ( ph -> ( ( ph -> ph ) -> ph ) ) -> ( ( ph -> ( ph -> ph ) ) -> ( ph -> ph ) ) )": [
        ("ax-2 $s ph ph $s ps ( ph -> ph ) $s ch ph", -0.1),
    ],
    "|- ( ph -> ( ( ph -> ph ) -> ph ) )": [("ax-1 $s ph ph $s ps ( ph -> ph )", -0.1)],
    "|- ( ph -> ( ph -> ph ) )": [("ax-1 $s ph ph $s ps ph", -0.1)],
    "|- ( ps -> ph )": [("ax-mp $s ph ph $s ps ( ps -> ph )", -0.1)],
    "|- ( ph -> ( ps -> ph ) )": [("ax-1 $s ph ph $s ps ps", -0.1)],
}


class TableProposer:
    """A "model" that is a fixed table of proposals; it records every call."""

    def __init__(self, table: dict[str, list[tuple[str, float]]]) -> None:
        self.table = table
        self.calls: list[tuple[str, list[str], int]] = []

    def propose(self, theorem: str, goals: list[str], k: int) -> list[list[tuple[str, float]]]:
        self.calls.append((theorem, goals, k))
        return [self.table.get(goal, [])[:k] for goal in goals]


def reference_verify(program: str, database: Path) -> str:
    """What the reference program prints for ``verify proof *.lime`` on ``database``: just the labels of the
    ``.lime`` proofs when every one verifies. Reading the database must report no error."""
    result = subprocess.run([program, f"read {database.name}", "verify proof *.lime", "exit"], cwd=database.parent,
                            capture_output=True, text=True, check=True, timeout=120)
    read, _, verified = result.stdout.partition("MM> verify proof *.lime")
    assert "?Error" not in read, result.stdout
    return verified.split("MM> exit")[0].strip()
