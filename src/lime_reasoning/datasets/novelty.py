"""Which evaluated examples a model could have memorised: sources and target labels seen in train.

A test source that also occurs in the train split (as MetaMathStep's do, different theorems sharing
steps) rewards recall, not reasoning. Where a dataset's ``meta.json`` lists its ``variables``, two
sources count as the same when they differ only by a consistent renaming of variables (``|- ( ph -> ps )``
and ``|- ( ch -> ph )``), since a model that has seen one has in effect seen the other; without that
list, only the exact token sequence counts. Renaming ignores typecodes (a wff and a class variable may
map to one another), which can only make more sources *seen*: the novel subset errs on the strict side.

Data only: this module never imports torch.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lime_reasoning.datasets.reading import read_meta, read_records
from lime_reasoning.errors import LimeError

BY_RENAMING, BY_TEXT = "source up to variable renaming", "exact source"
NOVEL, SEEN = "novel", "seen"
TRAIN = "train"


def canonical_source(text: str, variables: Collection[str]) -> str:
    """``text``'s whitespace tokens with each variable renamed by order of first appearance.

    The canonical names (a tab and a number) contain whitespace, which no token of a whitespace split
    can, so they never clash with a real token; tokens are joined by single spaces, which no token
    contains either, so the result is equal for two texts exactly when their token sequences are equal
    up to a one-to-one renaming of variables.
    """
    names: dict[str, str] = {}
    tokens = text.split()
    for position, token in enumerate(tokens):
        if token in variables:
            name = names.get(token)
            if name is None:
                name = names[token] = f"\t{len(names)}"
            tokens[position] = name
    return " ".join(tokens)


def dataset_variables(dataset: Path) -> frozenset[str] | None:
    """The ``variables`` that ``dataset``'s meta.json lists, or None where it lists none."""
    variables = read_meta(dataset).get("variables")
    if variables is None:
        return None
    if not isinstance(variables, list) or not all(isinstance(v, str) for v in variables):
        raise LimeError(f"{Path(dataset) / 'meta.json'}: 'variables' must be a list of strings")
    return frozenset(variables)


def target_label(target: str) -> str:
    """A target's first token: for MetaMathStep, the label of the assertion applied."""
    tokens = target.split(maxsplit=1)
    return tokens[0] if tokens else ""


@dataclass(frozen=True)
class Novelty:
    """Per evaluated record: is its source ``novel`` (absent from train), is its gold label seen in train."""

    novel: list[bool]
    label_seen: list[bool]
    by: str  # BY_RENAMING or BY_TEXT: what "the same source" meant

    def subset(self, index: int) -> str:
        """The subset record ``index`` is counted in: ``novel`` or ``seen``."""
        return NOVEL if self.novel[index] else SEEN


def novelty_against(train: Sequence[dict[str, Any]], records: Sequence[dict[str, Any]],
                    variables: Collection[str] | None) -> Novelty:
    """:class:`Novelty` of ``records`` against the ``train`` records (exact sources where ``variables`` is None)."""
    renamed = frozenset(variables or ())
    sources = {canonical_source(r["src"], renamed) for r in train}
    labels = {target_label(r["tgt"]) for r in train}
    return Novelty(
        novel=[canonical_source(r["src"], renamed) not in sources for r in records],
        label_seen=[target_label(r["tgt"]) in labels for r in records],
        by=BY_TEXT if variables is None else BY_RENAMING,
    )


def test_novelty(dataset: Path, records: Sequence[dict[str, Any]]) -> Novelty:
    """:class:`Novelty` of ``records`` against ``dataset``'s train split, the only split a model learns from."""
    return novelty_against(read_records(dataset, TRAIN), records, dataset_variables(dataset))


test_novelty.__test__ = False  # type: ignore[attr-defined]  # a function named test_*, not a pytest test
