"""``lime evaluate``: beam search over a split, predictions as JSON lines, exact-match and checker metrics.

Work proceeds in chunks of examples in file order; after each chunk the predictions written so far and
the running counts are checkpointed, so an interrupted evaluation resumes where it stopped. The output
directory (``predictions.jsonl``, ``metrics.json`` and a ``meta.json`` that marks it as this tool's)
appears only when everything is done.

Where the dataset has a train split, every example is also counted in the subset ``novel`` or
``seen`` (is its source in train, up to variable renaming where meta.json lists the variables; see
:mod:`lime_reasoning.datasets.novelty`), and ``metrics.json`` gains ``per_subset``, ``novelty`` (what
"the same source" meant) and ``baselines``: the same metrics for the model-free predictors of
:mod:`lime_reasoning.evaluation.baselines`, fitted on train, computed once at the end. A dataset
without a train split gets none of the three: there is nothing to have memorised.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch
from tokenizers import Tokenizer
from tqdm import tqdm

from lime_reasoning.atomic import write_json_atomic
from lime_reasoning.datasets import available_formats, read_records
from lime_reasoning.datasets.novelty import (
    TRAIN,
    Novelty,
    dataset_variables,
    novelty_against,
)
from lime_reasoning.datasets.output import write_meta
from lime_reasoning.datasets.staging import EVALUATION, StagedDirectory, lime_meta
from lime_reasoning.errors import LimeError
from lime_reasoning.evaluation.baselines import baseline_metrics
from lime_reasoning.evaluation.checkers import guarantee_of, resolve_checker
from lime_reasoning.evaluation.decoding import beam_search
from lime_reasoning.evaluation.tally import Tally
from lime_reasoning.modeling.model import load_model
from lime_reasoning.modeling.vocabulary import UNK, load_tokenizer
from lime_reasoning.ragged import Ragged

CHUNK = 128
UNKNOWN_WARNING = 0.5  # above this share of <unk> source tokens, warn: the model does not fit the data
PREDICTIONS, METRICS = "predictions.jsonl", "metrics.json"


@dataclass(frozen=True)
class EvalConfig:
    model: str
    data: str
    split: str = "test"
    format: str | None = None
    beam: int = 10
    max_length: int = 256
    batch_tokens: int = 16384
    limit: int | None = None
    checker: str | None = None
    mm: str | None = None  # the checker's database where it has moved (lime evaluate --mm)

    def check(self) -> None:
        for name in ("beam", "max_length", "batch_tokens"):
            if getattr(self, name) < 1:
                raise LimeError(f"--{name.replace('_', '-')} must be at least 1, got {getattr(self, name)}")
        if self.limit is not None and self.limit < 1:
            raise LimeError(f"--limit must be at least 1, got {self.limit}")
        if self.mm is not None and self.checker is None:
            raise LimeError("--mm names the database of a checker: it needs --checker (such as metamath)")


def unknown_share(tokenizer: Tokenizer, sources: list[str]) -> float:
    """The share of source tokens (``</s>`` aside) that encode to ``<unk>``.

    A model trained on other data reads mostly ``<unk>`` and scores about 0 without any error; this
    share says so.
    """
    unk = tokenizer.token_to_id(UNK)
    total = unknown = 0
    for encoding in tokenizer.encode_batch(sources, add_special_tokens=False):
        total += len(encoding.ids)
        unknown += encoding.ids.count(unk)
    return unknown / total if total else 0.0


def _train_and_novelty(data: Path, records: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], Novelty | None]:
    """The train split (read once, for novelty and baselines) and the records' novelty; none without train."""
    if not available_formats(data, TRAIN):
        return [], None
    train = read_records(data, TRAIN)
    return train, novelty_against(train, records, dataset_variables(data))


def evaluate(cfg: EvalConfig, out: Path, overwrite: bool = False) -> dict[str, Any]:
    """Evaluate and write ``out/predictions.jsonl`` and ``out/metrics.json``; return the metrics."""
    cfg.check()
    model_dir = Path(cfg.model)
    model = load_model(model_dir)
    tokenizer = load_tokenizer(model_dir)
    records = read_records(cfg.data, cfg.split, cfg.format, limit=cfg.limit)
    if not records:
        raise LimeError(f"{cfg.data}: the {cfg.split!r} split is empty")
    checker = resolve_checker(cfg.checker, Path(cfg.data), cfg.split, mm=cfg.mm) if cfg.checker else None
    train, novelty = _train_and_novelty(Path(cfg.data), records)
    unknown = unknown_share(tokenizer, [r["src"] for r in records])
    if unknown > UNKNOWN_WARNING:
        print(f"lime: warning: {unknown:.0%} of the source tokens of {cfg.data} ({cfg.split}) are not in the "
              f"vocabulary of {cfg.model}: is it the model for this data?", file=sys.stderr)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    model.to(device)
    positions = model.config.max_position_embeddings
    max_new_tokens = min(cfg.max_length, positions - 1)  # the decoder's positions include its start token

    # Paths by place, so that the same command spelled another way (or from elsewhere) resumes.
    # The subsets too: a checkpoint counts them, so one counted without (an earlier version's) is not resumed.
    places = {name: str(Path(getattr(cfg, name)).resolve()) for name in ("model", "data", "mm") if getattr(cfg, name)}
    key = {**asdict(cfg), **places, "novelty": novelty.by if novelty else None}
    staged = StagedDirectory(out, overwrite, key=json.dumps(key, sort_keys=True), kind=EVALUATION)
    directory = staged.open()
    state = staged.resume_state or {"done": 0, "bytes": 0, "tally": {}, "subsets": {}}
    tally = Tally(state["tally"], state["subsets"])
    path = directory / PREDICTIONS
    with open(path, "ab" if state["done"] else "wb") as handle:
        handle.truncate(state["bytes"])
        bar = tqdm(total=len(records), initial=state["done"], unit="ex", file=sys.stderr, dynamic_ncols=True)
        for start in range(state["done"], len(records), CHUNK):
            chunk = records[start : start + CHUNK]
            encodings = tokenizer.encode_batch([r["src"] for r in chunk])
            fits = [i for i, e in enumerate(encodings) if len(e.ids) <= positions]
            sources = Ragged.from_rows([encodings[i].ids for i in fits])
            found = beam_search(model, tokenizer, sources, cfg.beam, max_new_tokens, cfg.batch_tokens, device) if fits else []
            hypotheses: list[list[str]] = [[] for _ in chunk]
            for i, predictions in zip(fits, found):
                hypotheses[i] = predictions
            lines = []
            for offset, (record, predictions) in enumerate(zip(chunk, hypotheses)):
                index = start + offset
                subsets = (novelty.subset(index),) if novelty else ()
                rank, verdicts = tally.score(record, predictions, checker, subsets,
                                             novelty.label_seen[index] if novelty else None)
                row = {"index": index, **record, "predictions": predictions, "rank": rank}
                if verdicts is not None:
                    row["checked"] = verdicts
                if not predictions:
                    row["skipped"] = f"source longer than the model's {positions} positions"
                lines.append(json.dumps(row, ensure_ascii=False) + "\n")
            handle.write("".join(lines).encode("utf-8"))
            handle.flush()
            staged.checkpoint({"done": start + len(chunk), "bytes": handle.tell(), "tally": tally.counts,
                               "subsets": tally.subsets})
            bar.update(len(chunk))
        bar.close()
    metrics = {**tally.summary(cfg.beam, checker is not None), "unknown_source_tokens": unknown,
               "config": asdict(cfg)}
    if checker is not None:
        metrics["checker_guarantee"] = guarantee_of(checker)
    if novelty is not None:
        metrics["novelty"] = novelty.by
        metrics["baselines"] = baseline_metrics(train, records, novelty, checker, cfg.beam)
    write_json_atomic(directory / METRICS, metrics)
    write_meta(directory, lime_meta(EVALUATION))  # marks the directory as ours, so --overwrite may replace it
    staged.commit()
    return metrics
