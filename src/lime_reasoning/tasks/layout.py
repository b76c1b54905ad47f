"""How the named parts of an example become its source and target token sequences."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from lime_reasoning.ragged import Padded, Ragged, concat_rows, hstack
from lime_reasoning.tasks.tokens import Markers


@dataclass(frozen=True)
class TaskBatch:
    """A batch of examples of one task as token-id rows."""

    src: Ragged
    tgt: Ragged

    def __len__(self) -> int:
        return len(self.src)


@dataclass(frozen=True)
class Layout:
    """Which parts make the source body and the target, each list joined by ``<space>``."""

    source: tuple[str, ...]
    target: tuple[str, ...]


Part = Padded | Ragged


def _rows(part: Part) -> Ragged:
    return part.compact() if isinstance(part, Padded) else part


def join(parts: Sequence[Part], markers: Markers) -> Ragged:
    """Parts separated by ``<space>``, as the reference writes them.

    Neighbouring padded parts are joined before compaction, which is cheaper than joining rows.
    """
    count = len(parts[0].matrix) if isinstance(parts[0], Padded) else len(parts[0])
    space = np.array([markers.space], dtype=np.int32)
    pieces: list[Part] = []
    for index, part in enumerate(parts):
        if index:
            pieces.append(Padded.constant(markers.space, count))
        pieces.append(part)
    groups: list[Ragged | np.ndarray] = []
    run: list[Padded] = []
    for piece in pieces + [None]:
        if isinstance(piece, Padded):
            run.append(piece)
            continue
        if run:
            groups.append(hstack(run).compact() if len(run) > 1 else run[0].compact())
            run = []
        if piece is not None:
            groups.append(piece)
    del space
    return groups[0] if len(groups) == 1 else concat_rows(groups, count)


def assemble(layout: Layout, parts: Mapping[str, Part], header: Padded | None, markers: Markers) -> TaskBatch:
    """Source = header (if any) + source parts; target = target parts."""
    source_parts: list[Part] = [parts[name] for name in layout.source]
    if header is not None:
        first = source_parts[0]
        source_parts[0] = hstack([header, first]) if isinstance(first, Padded) else first
        if not isinstance(first, Padded):
            source = join(source_parts, markers)
            source = concat_rows([header.compact(), source], len(source))
            return TaskBatch(source, join([parts[name] for name in layout.target], markers))
    return TaskBatch(join(source_parts, markers), join([parts[name] for name in layout.target], markers))
