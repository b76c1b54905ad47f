"""``lime benchmark build NAME``: build a downstream benchmark dataset (MetaMathStep from set.mm);
``lime benchmark import NAME SRC``: import a released one (IsarStep, LeanStep) into the same format."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lime_reasoning.benchmarks.splits import parse_size

if TYPE_CHECKING:
    from lime_reasoning.benchmarks.importing import SeededSplit


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("benchmark", help="build or import downstream benchmark datasets")
    commands = parser.add_subparsers(dest="benchmark_command", metavar="COMMAND", required=True)
    build = commands.add_parser("build", help="build a benchmark dataset")
    benchmarks = build.add_subparsers(dest="benchmark", metavar="BENCHMARK", required=True)

    step = benchmarks.add_parser(
        "metamathstep",
        help="proof-step prediction from Metamath's set.mm, split by theorem",
        description="One example per |- proof step of every theorem: source = goal and the theorem's $e "
        "hypotheses, target = the assertion's label and the substitution of its variables (docs/metamath.md).",
    )
    step.add_argument("--out", required=True, help="output directory (created atomically)")
    step.add_argument(
        "--mm", help="the .mm database (default: $LIME_SETMM, then Debian's set.mm, then 'lime data download set.mm')"
    )
    for name, default in (("train", "35000"), ("valid", "1000"), ("test", "1000")):
        step.add_argument(
            f"--{name}", type=parse_size, default=parse_size(default), metavar="N|F",
            help=f"{name} theorems: a count, or a fraction with a decimal point (default: {default})",
        )
    step.add_argument("--seed", type=int, default=0, help="seed of the split by theorem (default: 0)")
    step.add_argument(
        "--steps", choices=("all", "unique"), default="all",
        help="every |- step, or each distinct (source, target) once per theorem (default: all)",
    )
    step.add_argument("--max-source-tokens", type=int, metavar="N", help="drop examples with longer sources")
    step.add_argument("--max-target-tokens", type=int, metavar="N", help="drop examples with longer targets")
    step.add_argument("--from", dest="first", metavar="LABEL", help="only theorems from this statement on")
    step.add_argument("--upto", dest="last", metavar="LABEL", help="only theorems up to this statement (read stops there)")
    step.add_argument("--section", metavar="TITLE", help="only theorems under this part, chapter or section header")
    add_output_options(step)
    step.set_defaults(run=run_metamathstep)
    register_imports(commands)


def add_output_options(parser: argparse.ArgumentParser) -> None:
    """--format, --overwrite and --quiet, the same for every dataset a benchmark command writes."""
    parser.add_argument(
        "--format", default="text", help="comma-separated: text (fairseq files), jsonl, parquet (default: text)"
    )
    parser.add_argument("--overwrite", action="store_true", help="replace an output directory that lime wrote as a dataset (its meta.json says so)")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")


def add_seeded_split_options(parser: argparse.ArgumentParser, unit: str, applies: str) -> None:
    """--train/--valid/--test/--seed of an import: unset unless given, since some inputs bring their own split
    (the defaults are importing.DEFAULT_SIZES, named here so that parsing imports no data library)."""
    for name, default in (("train", "0.92"), ("valid", "0.04"), ("test", "0.04")):
        parser.add_argument(
            f"--{name}", type=parse_size, metavar="N|F",
            help=f"{name} {unit}: a count, or a fraction with a decimal point (default: {default}; {applies})",
        )
    parser.add_argument("--seed", type=int, help=f"seed of the split by {unit[:-1]} (default: 0; {applies})")


def register_imports(commands: argparse._SubParsersAction) -> None:
    imports = commands.add_parser("import", help="import a released benchmark dataset")
    benchmarks = imports.add_subparsers(dest="benchmark", metavar="BENCHMARK", required=True)

    isar = benchmarks.add_parser(
        "isarstep",
        help="IsarStep (Isabelle): predict the missing intermediate proposition of an Isar proof",
        description="Reads a CausalSteps directory of Build_IsarStep (source.txt or source_g.txt, target.txt, "
        "meta.txt; split here by theorem, seeded) or fairseq pairs train/valid/test.src/.tgt (split kept) "
        "(docs/importers.md).",
    )
    isar.add_argument(
        "src", metavar="SRC", help="a CausalSteps directory (or the one holding it), or a directory of fairseq pairs"
    )
    isar.add_argument("--out", required=True, help="output directory (created atomically)")
    isar.add_argument(
        "--global-facts", action="store_true",
        help="keep the <used_global_facts> section (CausalSteps: read source_g.txt); default: sources without it",
    )
    add_seeded_split_options(isar, "theorems", "CausalSteps only")
    add_output_options(isar)
    isar.set_defaults(run=run_isarstep)

    lean = benchmarks.add_parser(
        "leanstep",
        help="LeanStep (Lean mathlib, PACT): next-lemma prediction or skip-proof from lean-step's JSON lines",
        description="Reads next_lemma_prediction.json or skip_proof.json of lean-step; records with decl_nm are "
        "split by lean-step's hash of the declaration name, others seeded by source (docs/importers.md).",
    )
    lean.add_argument("src", metavar="SRC", help="a lean-step task file, or the directory holding it")
    lean.add_argument("--out", required=True, help="output directory (created atomically)")
    lean.add_argument("--task", help="next-lemma or skip-proof (default: the task file SRC names or holds)")
    lean.add_argument(
        "--lemma", help="next-lemma target: typed, '(name : type)' as released, or name, the name only (default: typed)"
    )
    add_seeded_split_options(lean, "sources", "records without decl_nm only")
    add_output_options(lean)
    lean.set_defaults(run=run_leanstep)


def run_metamathstep(args: argparse.Namespace) -> int:
    from lime_reasoning.benchmarks.metamathstep import MetaMathStepConfig, build_metamathstep
    from lime_reasoning.metamath.source import resolve_database

    formats = _formats(args)
    config = MetaMathStepConfig(
        train=args.train,
        valid=args.valid,
        test=args.test,
        seed=args.seed,
        steps=args.steps,
        max_source_tokens=args.max_source_tokens,
        max_target_tokens=args.max_target_tokens,
        first=args.first,
        last=args.last,
        section=args.section,
    )
    database = resolve_database(args.mm)
    meta = build_metamathstep(database, Path(args.out), config, formats, args.overwrite, args.quiet)
    theorems, counts = meta["theorems"], meta["counts"]
    splits = ", ".join(f"{name} {theorems[name]:,} theorems / {counts[name]:,} examples" for name in counts)
    print(f"{args.out}: {splits} (from {database}; {', '.join(formats)})")
    return 0


def _formats(args: argparse.Namespace) -> list[str]:
    from lime_reasoning.datasets import check_formats

    return check_formats([fmt.strip() for fmt in args.format.split(",")])


def _seeded_split(args: argparse.Namespace) -> SeededSplit:
    from lime_reasoning.benchmarks.importing import SeededSplit

    return SeededSplit(train=args.train, valid=args.valid, test=args.test, seed=args.seed)


def _print_import(out: str, meta: dict[str, Any]) -> None:
    from lime_reasoning.wording import counted

    split, counts = meta["split"], meta["counts"]
    groups = split.get("groups")
    parts = [
        f"{name} {counted(groups[name], split['unit'])} / {counted(count, 'example')}" if groups
        else f"{name} {counted(count, 'example')}"
        for name, count in counts.items()
    ]
    print(f"{out}: {', '.join(parts)} (from {meta['input']['path']}, {meta['input']['layout']}; "
          f"{', '.join(meta['formats'])})")


def _run_import(args: argparse.Namespace, importer: Callable[..., dict[str, Any]], config: Any) -> int:
    meta = importer(Path(args.src), Path(args.out), config, _formats(args), args.overwrite, args.quiet)
    _print_import(args.out, meta)
    return 0


def run_isarstep(args: argparse.Namespace) -> int:
    from lime_reasoning.benchmarks.isarstep import IsarStepConfig, import_isarstep

    config = IsarStepConfig(global_facts=args.global_facts, split=_seeded_split(args))
    return _run_import(args, import_isarstep, config)


def run_leanstep(args: argparse.Namespace) -> int:
    from lime_reasoning.benchmarks.leanstep import LeanStepConfig, import_leanstep

    config = LeanStepConfig(task=args.task, lemma=args.lemma, split=_seeded_split(args))
    return _run_import(args, import_leanstep, config)
