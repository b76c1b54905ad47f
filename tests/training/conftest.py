"""The toy dataset fixture of the training tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from toy_runs import write_toy


@pytest.fixture
def toy(tmp_path: Path) -> Path:
    return write_toy(tmp_path / "toy", {"train": 100, "valid": 20, "test": 20})
