"""Check every example of a generated dataset with the independent checker.

    python tests/support/verify_dataset.py DIR      (default knobs; reads meta.json for the config)

Prints, per split, how many examples were checked and how many failed (with the first failures).
"""

from __future__ import annotations

import sys
from pathlib import Path

from synthetic_checker import Invalid, check_example
from synthetic_support import knobs

from lime_reasoning.datasets import iter_blocks, present_splits, read_meta
from lime_reasoning.tasks import TaskConfig


def main(directory: Path) -> int:
    config = TaskConfig.from_dict(read_meta(directory)["config"])
    failures = 0
    for split in present_splits(directory):
        checked = failed = 0
        for block in iter_blocks(directory, split):
            for record in block.records():
                checked += 1
                try:
                    check_example(str(record["task"]), str(record["src"]), str(record["tgt"]), knobs(config))
                except Invalid as error:
                    failed += 1
                    if failed <= 3:
                        print(f"{split} row {checked}: {error}")
        print(f"{split}: {checked:,} examples checked, {failed:,} invalid")
        failures += failed
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
