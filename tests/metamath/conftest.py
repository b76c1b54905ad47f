"""Fixtures for the Metamath tests: the hand-written databases, and Debian's set.mm where installed."""

from __future__ import annotations

from pathlib import Path

import pytest
from metamath_support import metamath_program  # noqa: F401  (a fixture shared with tests/proving)

from lime_reasoning.metamath import Database, read_database

FIXTURES = Path(__file__).parent / "fixtures"
DEBIAN = Path("/usr/share/metamath/databases")


@pytest.fixture(scope="session")
def prop() -> Database:
    return read_database(FIXTURES / "prop.mm")


@pytest.fixture(scope="session")
def setmm_path() -> Path:
    path = DEBIAN / "set.mm"
    if not path.is_file():
        pytest.skip("Debian's metamath-databases is not installed (make system-deps)")
    return path


@pytest.fixture(scope="session")
def setmm(setmm_path: Path) -> Database:
    return read_database(setmm_path)
