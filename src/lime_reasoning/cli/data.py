"""``lime data download NAME``: fetch a pinned public data file (set.mm) into the user's cache."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    from lime_reasoning.metamath.source import DOWNLOADS

    parser = subparsers.add_parser("data", help="download the public data files the benchmarks are built from")
    commands = parser.add_subparsers(dest="data_command", metavar="COMMAND", required=True)
    download = commands.add_parser(
        "download", help="download a pinned file (checked against its SHA-256) into the user's cache directory"
    )
    download.add_argument("name", choices=sorted(DOWNLOADS), help="what to download")
    download.add_argument("--force", action="store_true", help="download again even if a verified copy is cached")
    download.add_argument("--quiet", action="store_true", help="no progress bar")
    download.set_defaults(run=run_download)


def run_download(args: argparse.Namespace) -> int:
    from lime_reasoning.metamath.source import DOWNLOADS, fetch

    item = DOWNLOADS[args.name]
    path = fetch(item, quiet=args.quiet, force=args.force)
    print(f"{path}: {item.name}, {item.size:,} bytes, SHA-256 {item.sha256}")
    return 0
