"""Metrics to TensorBoard event files and to ``metrics.csv`` (one row per step and metric).

The CSV is long-format (``step, tokens_seen, elapsed_s, metric, value``) so per-task metrics of a
mixture need no schema change. A resumed run first drops the rows logged after its checkpoint, and
TensorBoard purges the same steps, so curves never show the lost work twice.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from pathlib import Path

from lime_reasoning.atomic import atomic_file

CSV_FILE = "metrics.csv"
EVENTS_DIR = "events"
HEADER = ["step", "tokens_seen", "elapsed_s", "metric", "value"]


def read_rows(path: Path) -> list[dict[str, str]]:
    """The rows of a ``metrics.csv`` as dictionaries keyed by :data:`HEADER`."""
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def truncate_csv(path: Path, last_step: int) -> None:
    """Keep only the rows up to ``last_step`` (rewritten through a temporary file)."""
    if not path.exists():
        return
    with open(path, newline="", encoding="utf-8") as handle:
        rows = [row for row in csv.reader(handle)]
    kept = [rows[0]] + [row for row in rows[1:] if int(row[0]) <= last_step]
    with atomic_file(path, newline="") as handle:
        csv.writer(handle).writerows(kept)


class MetricsLog:
    """Writes on rank 0 only; every other rank holds a log that does nothing."""

    def __init__(self, run: Path, resumed_step: int | None, enabled: bool) -> None:
        self.enabled = enabled
        if not enabled:
            return
        from torch.utils.tensorboard import SummaryWriter

        path = run / CSV_FILE
        if resumed_step is not None:
            truncate_csv(path, resumed_step)
        fresh = not path.exists()
        self.handle = open(path, "a", newline="", encoding="utf-8")
        self.csv = csv.writer(self.handle)
        if fresh:
            self.csv.writerow(HEADER)
        purge = resumed_step + 1 if resumed_step is not None else None
        self.events = SummaryWriter(log_dir=str(run / EVENTS_DIR), purge_step=purge)

    def log(self, step: int, tokens_seen: int, elapsed: float, values: Mapping[str, float]) -> None:
        if not self.enabled:
            return
        for name, value in values.items():
            self.csv.writerow([step, tokens_seen, f"{elapsed:.2f}", name, f"{value:.6g}"])
            self.events.add_scalar(name, value, step)
        self.handle.flush()
        self.events.flush()

    def close(self) -> None:
        if self.enabled:
            self.handle.close()
            self.events.close()
