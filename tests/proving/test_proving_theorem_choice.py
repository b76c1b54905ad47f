"""Which theorems the experiment proves: a split's theorems in order, a seeded sample, novel statements."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lime_reasoning.errors import LimeError
from lime_reasoning.metamath import Database
from lime_reasoning.proving.theorem_choice import novel_statements, sample_theorems, split_theorems

LABELS = [f"t{i}" for i in range(40)]


def write_data(directory: Path, train: list[str], test_theorems: list[str], variables: list[str] | None) -> Path:
    """A MetaMathStep-shaped dataset: train sources (targets irrelevant here), test rows of the given theorems."""
    directory.mkdir()
    (directory / "train.src").write_text("".join(f"{s}\n" for s in train))
    (directory / "train.tgt").write_text("x\n" * len(train))
    (directory / "test.src").write_text("|- ph\n" * len(test_theorems))
    (directory / "test.tgt").write_text("x\n" * len(test_theorems))
    (directory / "test.theorem").write_text("".join(f"{t}\n" for t in test_theorems))
    (directory / "meta.json").write_text(json.dumps({} if variables is None else {"variables": variables}))
    return directory


def test_a_splits_theorems_in_order_of_first_appearance(tmp_path: Path) -> None:
    data = write_data(tmp_path / "d", [], ["b", "a", "b", "c", "a"], None)
    assert split_theorems(data, "test") == ["b", "a", "c"]
    with pytest.raises(LimeError, match="'train' split is empty"):
        split_theorems(data, "train")


def test_a_sample_is_the_seeds_choice_in_the_splits_order() -> None:
    ten = sample_theorems(LABELS, 10, seed=0)
    assert len(ten) == 10 and set(ten) <= set(LABELS)
    assert ten == [label for label in LABELS if label in ten]  # the split's order
    assert set(ten) <= set(sample_theorems(LABELS, 20, seed=0))  # a larger sample keeps the smaller one
    assert sample_theorems(LABELS, 10, seed=0) == ten and sample_theorems(LABELS, 10, seed=1) != ten
    assert sample_theorems(LABELS, None, seed=0) == LABELS == sample_theorems(LABELS, 40, seed=3)


def test_a_statement_is_novel_unless_a_train_source_is_it_up_to_renaming(toy: Database, tmp_path: Path) -> None:
    """a1i: ``|- ( ps -> ph ) $e |- ph``; id: ``|- ( ph -> ph )``; ax-1's statement has no hypothesis."""
    theorems = [toy.assertion("a1i"), toy.assertion("id")]
    train = ["|- ( ch -> ps ) $e |- ps", "|- ( ps -> ph )"]  # a1i renamed; id's shape only with two variables
    renamed = write_data(tmp_path / "renamed", train, [], ["ph", "ps", "ch"])
    assert novel_statements(renamed, theorems) == [False, True]
    exact = write_data(tmp_path / "exact", train, [], None)  # without a variables list only the text counts
    assert novel_statements(exact, theorems) == [True, True]
    assert novel_statements(write_data(tmp_path / "same", ["|- ( ps -> ph ) $e |- ph"], [], None), theorems) == [False, True]
