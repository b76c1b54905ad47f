"""The joined word-level vocabulary and its Hugging Face tokenizer files."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from transformers import AutoTokenizer

from lime_reasoning.errors import LimeError
from lime_reasoning.modeling.vocabulary import SPECIAL_TOKENS, build_tokenizer, save_tokenizer

LINES = {"src": ["a b c", "b b d", "e a"], "tgt": ["c c", "b", "x y z"]}


@pytest.fixture
def data(tmp_path: Path) -> Path:
    for side, lines in LINES.items():
        (tmp_path / f"train.{side}").write_text("".join(line + "\n" for line in lines))
    return tmp_path


def counts() -> Counter[str]:
    return Counter(token for lines in LINES.values() for line in lines for token in line.split())


def test_joined_vocabulary_by_frequency(data: Path) -> None:
    vocab = build_tokenizer(data).get_vocab()
    assert [token for token, _ in sorted(vocab.items(), key=lambda kv: kv[1])][:4] == list(SPECIAL_TOKENS)
    expected = sorted(counts(), key=lambda token: (-counts()[token], token))
    assert [token for token, _ in sorted(vocab.items(), key=lambda kv: kv[1])][4:] == expected


def test_min_count_and_max_size(data: Path) -> None:
    frequent = {token for token, n in counts().items() if n >= 2}
    assert set(build_tokenizer(data, min_count=2).get_vocab()) - set(SPECIAL_TOKENS) == frequent
    assert len(build_tokenizer(data, max_size=6).get_vocab()) == 6
    with pytest.raises(LimeError):
        build_tokenizer(data, min_count=0)
    with pytest.raises(LimeError):
        build_tokenizer(data, min_count=100)


def test_auto_tokenizer_round_trip(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    out.mkdir()
    save_tokenizer(build_tokenizer(data), out)
    tokenizer = AutoTokenizer.from_pretrained(str(out))
    assert (tokenizer.bos_token_id, tokenizer.pad_token_id, tokenizer.eos_token_id, tokenizer.unk_token_id) == (0, 1, 2, 3)
    for lines in LINES.values():
        for line in lines:
            ids = tokenizer(line).input_ids
            assert ids[-1] == tokenizer.eos_token_id and len(ids) == len(line.split()) + 1
            assert tokenizer.decode(ids, skip_special_tokens=True) == line
    assert tokenizer("a never-seen").input_ids[1] == tokenizer.unk_token_id
