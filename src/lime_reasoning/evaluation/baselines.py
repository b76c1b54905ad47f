"""Model-free predictors fitted on the train split: the floor every model's metric is read against.

Where test sources also occur in train, looking them up scores well without any reasoning; a model is
only better than memorisation by what it adds to these. Both predictors are deterministic: targets are
ranked by how often they occur in train, ties by first occurrence (``Counter.most_common`` sorts
stably), and compared after :func:`~lime_reasoning.evaluation.decoding.normalise`.

* ``train_lookup``: the targets of train examples with the same source (the same tokens, spacing
  aside), most frequent first, padded with the most frequent train targets overall, without repeats;
* ``best_constant``: the most frequent train targets, the same list for every example.

Their metrics come from the same :class:`~lime_reasoning.evaluation.tally.Tally` (and so the same
``correct_rank`` and checker verdicts) as a model's, so the two cannot be defined differently.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from itertools import islice
from typing import Any

from lime_reasoning.datasets.novelty import Novelty
from lime_reasoning.evaluation.checkers import Checker
from lime_reasoning.evaluation.decoding import normalise
from lime_reasoning.evaluation.tally import Tally

Records = Sequence[dict[str, Any]]
Baseline = Callable[[Records, Records, int], list[list[str]]]  # (train, records, k) -> up to k predictions each


def _ranked(targets: Iterable[str]) -> list[str]:
    """Distinct normalised targets, most frequent first, ties in order of first occurrence."""
    return [target for target, _ in Counter(normalise(t) for t in targets).most_common()]


def best_constant(train: Records, records: Records, k: int) -> list[list[str]]:
    """The ``k`` most frequent train targets, for every record."""
    common = _ranked(r["tgt"] for r in train)[:k]
    return [list(common) for _ in records]


def train_lookup(train: Records, records: Records, k: int) -> list[list[str]]:
    """The train targets of each record's source, most frequent first, then the most frequent overall."""
    wanted = {normalise(r["src"]) for r in records}
    by_source: dict[str, list[str]] = {}
    for r in train:
        source = normalise(r["src"])
        if source in wanted:
            by_source.setdefault(source, []).append(r["tgt"])
    ranked = {source: _ranked(targets) for source, targets in by_source.items()}
    common = _ranked(r["tgt"] for r in train)[:k]
    found = []
    for r in records:
        own = ranked.get(normalise(r["src"]), [])
        found.append(list(islice(dict.fromkeys(own + common), k)))
    return found


BASELINES: dict[str, Baseline] = {"train_lookup": train_lookup, "best_constant": best_constant}


def baseline_metrics(train_records: Records, records: Records, novelty: Novelty, checker: Checker | None,
                     beam: int) -> dict[str, dict[str, Any]]:
    """Each baseline's summary on ``records``, as a model's: top-1 / top-``beam``, checked, per subset."""
    results = {}
    for name, predict in BASELINES.items():
        tally = Tally()
        for index, (record, predictions) in enumerate(zip(records, predict(train_records, records, beam))):
            tally.score(record, predictions, checker, (novelty.subset(index),), novelty.label_seen[index])
        results[name] = tally.summary(beam, checker is not None)
    return results
