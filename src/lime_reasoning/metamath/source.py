"""Where a Metamath database comes from: an explicit path, ``$LIME_SETMM``, Debian's package, or a download
(or, for a dataset built from one, its ``meta.json``: :func:`dataset_database`).

The download is pinned: upstream commit 55fe226d of metamath/set.mm, the snapshot Debian packages as
``metamath-databases`` 0.0.0~20210101.git55fe226 (byte for byte the same file, so a dataset built
from either is identical). It is checked against its SHA-256 and lands in the user's cache directory
through a temporary file and a rename, so an interrupted download never leaves a truncated set.mm.
"""

from __future__ import annotations

import hashlib
import os
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lime_reasoning.atomic import atomic_file
from lime_reasoning.errors import LimeError

ENVIRONMENT_VARIABLE = "LIME_SETMM"
DEBIAN_SETMM = Path("/usr/share/metamath/databases/set.mm")
CHUNK = 1 << 20


@dataclass(frozen=True)
class Download:
    """A file fetched from a fixed URL and accepted only with the expected SHA-256."""

    name: str
    url: str
    sha256: str
    size: int


SETMM = Download(
    name="set.mm",
    url="https://raw.githubusercontent.com/metamath/set.mm/55fe226d84fca15cf4fbb6bcc0e3ee0e00fe640e/set.mm",
    sha256="4d93307bc81337a621031739acfffb4159175f94fb90e727f4a231401091e45b",
    size=41_013_180,
)
DOWNLOADS = {SETMM.name: SETMM}


def cache_directory() -> Path:
    """``$XDG_CACHE_HOME/lime-reasoning`` (``~/.cache/lime-reasoning`` when the variable is unset)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "lime-reasoning"


def cached_path(download: Download) -> Path:
    return cache_directory() / "metamath" / download.name


def resolve_database(path: str | Path | None = None) -> Path:
    """The database to use: ``path``, else ``$LIME_SETMM``, else Debian's set.mm, else the cached download."""
    if path is not None:
        chosen = Path(path)
        if not chosen.is_file():
            raise LimeError(f"{chosen}: no such file (the Metamath database given with --mm)")
        return chosen
    from_environment = os.environ.get(ENVIRONMENT_VARIABLE)
    if from_environment:
        chosen = Path(from_environment)
        if not chosen.is_file():
            raise LimeError(f"{chosen}: no such file (named by ${ENVIRONMENT_VARIABLE})")
        return chosen
    for candidate in (DEBIAN_SETMM, cached_path(SETMM)):
        if candidate.is_file():
            return candidate
    raise LimeError(
        "set.mm not found: pass --mm PATH, set $LIME_SETMM, install Debian's metamath-databases "
        "(make system-deps), or run 'lime data download set.mm'"
    )


def dataset_database(dataset: str | Path, recorded: Mapping[str, Any] | None, given: str | Path | None = None) -> Path:
    """The database a MetaMathStep dataset was built from, for checking steps against it.

    ``recorded`` is the ``database`` entry of the dataset's ``meta.json``. Its path is looked at first,
    then ``$LIME_SETMM``, Debian's set.mm and the download, so a dataset built from any file checks
    without options; ``given`` (``--mm``) replaces that search for a database that has moved. Whichever
    file it is must have the recorded SHA-256: another database has other theorems and axioms, and a
    checker reading it would judge every step wrongly.
    """
    if not recorded:
        raise LimeError(f"{dataset}: not a MetaMathStep dataset (meta.json names no Metamath database)")
    expected = recorded.get("sha256")
    built_from = recorded.get("path") or recorded.get("name", "?")
    if given is not None:
        path = resolve_database(given)
        if expected and file_sha256(path) != expected:
            raise LimeError(f"{path}: not the database {dataset} was built from ({built_from}; "
                            "its SHA-256 differs from the one in meta.json)")
        return path
    places = [Path(recorded["path"])] if recorded.get("path") else []
    if os.environ.get(ENVIRONMENT_VARIABLE):
        places.append(Path(os.environ[ENVIRONMENT_VARIABLE]))
    places += [DEBIAN_SETMM, cached_path(SETMM)]
    for place in dict.fromkeys(places):
        if place.is_file() and (not expected or file_sha256(place) == expected):
            return place
    raise LimeError(
        f"{dataset}: cannot find the database it was built from ({built_from}, SHA-256 {expected}): not at "
        f"meta.json's path, ${ENVIRONMENT_VARIABLE}, Debian's set.mm or the download; pass --mm PATH"
    )


def file_sha256(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def fetch(download: Download, destination: Path | None = None, quiet: bool = False, force: bool = False) -> Path:
    """Download ``download`` to ``destination`` (default: the cache) unless a verified copy is there."""
    target = destination if destination is not None else cached_path(download)
    if target.is_file() and not force and file_sha256(target) == download.sha256:
        return target
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise LimeError(f"{target.parent}: cannot create the directory ({error.strerror or error})") from None
    from tqdm import tqdm

    digest = hashlib.sha256()
    try:
        with urllib.request.urlopen(download.url, timeout=60) as response, atomic_file(target, "wb") as out:
            total = int(response.headers.get("Content-Length") or download.size)
            with tqdm(total=total, unit="B", unit_scale=True, desc=download.name, disable=quiet) as bar:
                for chunk in iter(lambda: response.read(CHUNK), b""):
                    out.write(chunk)
                    digest.update(chunk)
                    bar.update(len(chunk))
            if digest.hexdigest() != download.sha256:  # raised inside: the partial file goes, nothing is written
                raise LimeError(f"{download.url}: SHA-256 {digest.hexdigest()} differs from the pinned "
                                f"{download.sha256}; nothing was written")
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", None) or error
        raise LimeError(
            f"cannot download {download.url}: {reason} (offline? install Debian's metamath-databases "
            "or pass --mm PATH instead)"
        ) from None
    return target
