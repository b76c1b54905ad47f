"""Datasets of (src, tgt) pairs: columns, writers for text / jsonl / parquet, readers, output directories.

This layer never imports torch.
"""

from lime_reasoning.datasets.columns import ColumnBlock, IntColumn, TextColumn
from lime_reasoning.datasets.output import base_meta, check_formats, write_dataset
from lime_reasoning.datasets.reading import (
    SPLITS,
    available_formats,
    iter_blocks,
    present_splits,
    read_meta,
    read_records,
)
from lime_reasoning.datasets.writers import FORMATS

__all__ = [
    "FORMATS",
    "SPLITS",
    "ColumnBlock",
    "IntColumn",
    "TextColumn",
    "available_formats",
    "base_meta",
    "check_formats",
    "iter_blocks",
    "present_splits",
    "read_meta",
    "read_records",
    "write_dataset",
]
