"""A hand-made MetaMathStep-like train/test split whose novelty and baselines are worked out by hand.

Variables ph ps ch. Train targets by frequency (ties by first occurrence): a1i (2, T1), mpd (2, T5),
syl (1), mp (1), id (1).

Test, against train (by renaming / exactly), and the gold label seen in train:

* E1 ``|- ( ph -> ps )``: T1 itself, seen / seen; a1i seen.
* E2 ``|- ( ch -> ph )``: T1 renamed, seen / novel; ax-1 unseen.
* E3 ``|- ( ph -> ph )``: T6 renamed (not T1: one variable twice), seen / novel; id seen.
* E4 ``|- ps $e |- ps``: T4 has two variables, T7 no hypothesis: novel / novel; mp seen.
* E5 ``|- ph  $e  |- ps``: T4's tokens, spaced otherwise: seen / seen; mp seen.
* E6 ``|- ( ph -> ps ) $e |- ph``: novel / novel; ax-mp unseen.
* E7 ``|- ( ph -> ps )``: as E1, with T3's target: seen / seen; syl seen.
"""

from __future__ import annotations

import json
from pathlib import Path

VARIABLES = ["ch", "ph", "ps"]
TRAIN = [
    ("|- ( ph -> ps )", "a1i $s ph ps"),
    ("|- ( ph -> ps )", "a1i $s ph ps"),
    ("|- ( ph -> ps )", "syl $s ph ph"),
    ("|- ph $e |- ps", "mp $s ph ps"),
    ("|- ph $e |- ps", "mpd $s ph ps"),
    ("|- ( ch -> ch )", "id $s ph ch"),
    ("|- ps", "mpd $s ph ps"),
]
TEST = [
    ("|- ( ph -> ps )", "a1i $s ph ps"),
    ("|- ( ch -> ph )", "ax-1 $s ph ch"),
    ("|- ( ph -> ph )", "id $s ph ph"),
    ("|- ps $e |- ps", "mp $s ph ps"),
    ("|- ph  $e  |- ps", "mp $s ph ps"),
    ("|- ( ph -> ps ) $e |- ph", "ax-mp $s ph ph $s ps ps"),
    ("|- ( ph -> ps )", "syl $s ph ph"),
]
NOVEL_BY_RENAMING = [False, False, False, True, False, True, False]
NOVEL_EXACTLY = [False, True, True, True, False, True, False]
LABEL_SEEN = [True, False, True, True, True, False, True]


def write_split(directory: Path, variables: bool = True) -> Path:
    """The split as fairseq text files, with a meta.json listing the variables when ``variables``."""
    directory.mkdir(parents=True, exist_ok=True)
    for split, pairs in (("train", TRAIN), ("test", TEST)):
        (directory / f"{split}.src").write_text("".join(src + "\n" for src, _ in pairs))
        (directory / f"{split}.tgt").write_text("".join(tgt + "\n" for _, tgt in pairs))
    if variables:
        (directory / "meta.json").write_text(json.dumps({"variables": VARIABLES}))
    return directory
