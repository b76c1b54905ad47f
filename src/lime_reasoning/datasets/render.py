"""Token-id rows to text lines, without a Python loop per token.

Every token's printed form plus its separator is pre-packed into one 8-byte word, NUL-padded. A batch
is rendered by gathering one word per token (the last token of a line takes the variant ending in a
newline instead of a space) and deleting the NUL bytes with ``bytes.translate``, which runs in C.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from lime_reasoning.datasets.columns import TextColumn
from lime_reasoning.ragged import Ragged

WORD = 8


class TokenRenderer:
    """Prints rows of token ids as space-separated lines, one line per row."""

    def __init__(self, strings: Sequence[str]) -> None:
        encoded = [s.encode("utf-8") for s in strings]
        if any(len(s) + 1 > WORD or not s or b"\0" in s or b" " in s or b"\n" in s for s in encoded):
            raise ValueError(f"every token must be 1..{WORD - 1} bytes without spaces, newlines or NUL")
        spaced = np.zeros((len(encoded), WORD), dtype=np.uint8)
        ended = np.zeros((len(encoded), WORD), dtype=np.uint8)
        for index, token in enumerate(encoded):
            spaced[index, : len(token) + 1] = np.frombuffer(token + b" ", dtype=np.uint8)
            ended[index, : len(token) + 1] = np.frombuffer(token + b"\n", dtype=np.uint8)
        self.spaced = spaced.view(np.uint64).ravel()
        self.ended = ended.view(np.uint64).ravel()
        self.sizes = np.array([len(token) + 1 for token in encoded], dtype=np.int64)

    def render(self, rows: Ragged) -> TextColumn:
        """One line per row; rows must be non-empty."""
        rows = rows.compact()
        if len(rows) and rows.lengths.min() < 1:
            raise ValueError("cannot render an empty row")
        tokens = rows.values
        last = rows.starts + rows.lengths - 1
        words = self.spaced[tokens]
        words[last] = self.ended[tokens[last]]
        data = np.frombuffer(words.tobytes().translate(None, b"\0"), dtype=np.uint8)
        ends = np.cumsum(self.sizes[tokens])[last] - 1 if len(rows) else np.zeros(0, dtype=np.int64)
        return TextColumn(data, ends)


def render_labels(labels: Sequence[str], indices: np.ndarray) -> TextColumn:
    """A column holding ``labels[i]`` for each index (task names, say)."""
    lines = np.array([label.encode("utf-8") + b"\n" for label in labels], dtype=object)
    sizes = np.array([len(line) for line in lines], dtype=np.int64)
    data = np.frombuffer(b"".join(lines[indices].tolist()), dtype=np.uint8)
    return TextColumn(data, np.cumsum(sizes[indices]) - 1)
