"""A word-level vocabulary joined over source and target, saved as a Hugging Face tokenizer.

fairseq's ``--joined-dictionary``: one table for both sides, so source and target share embeddings.
The special tokens take fairseq's ids (``<s>`` 0, ``<pad>`` 1, ``</s>`` 2, ``<unk>`` 3), which are
also BART's. Every encoded sequence ends with ``</s>``: a source as fairseq feeds it, a target as the
labels the decoder must produce. Counting runs in the ``tokenizers`` trainer (Rust, parallel), so
building the table of a multi-million-line split takes seconds, not minutes of Python.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

from tokenizers import Tokenizer, models, pre_tokenizers, processors, trainers

from lime_reasoning.datasets import iter_blocks
from lime_reasoning.errors import LimeError

BOS, PAD, EOS, UNK = "<s>", "<pad>", "</s>", "<unk>"
SPECIAL_TOKENS: tuple[str, ...] = (BOS, PAD, EOS, UNK)
BOS_ID, PAD_ID, EOS_ID, UNK_ID = range(4)


def _lines(directory: Path, split: str, fmt: str | None) -> Iterator[str]:
    for block in iter_blocks(directory, split, fmt):
        for name in ("src", "tgt"):
            yield from block.columns[name].to_strings()


def word_level_tokenizer(vocab: dict[str, int]) -> Tokenizer:
    """A whitespace tokenizer over ``vocab`` that appends ``</s>`` to every sequence."""
    for token, index in zip(SPECIAL_TOKENS, range(4)):
        if vocab.get(token) != index:
            raise ValueError(f"special token {token} must have id {index}")
    tokenizer = Tokenizer(models.WordLevel(vocab=vocab, unk_token=UNK))
    tokenizer.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tokenizer.post_processor = processors.TemplateProcessing(single=f"$A {EOS}", special_tokens=[(EOS, EOS_ID)])
    return tokenizer


def _checked(vocab: dict[str, int]) -> dict[str, int]:
    if len(vocab) <= len(SPECIAL_TOKENS):
        raise LimeError("the training data holds no token (or none that occurs --vocab-min-count times)")
    return vocab


def count_vocabulary(lines: Iterator[str], min_count: int = 1, max_size: int | None = None) -> dict[str, int]:
    """Token -> id, most frequent first (ties by token), specials first, dropping rare tokens."""
    if min_count < 1:
        raise LimeError(f"--vocab-min-count must be at least 1, got {min_count}")
    if max_size is not None and max_size <= len(SPECIAL_TOKENS):
        raise LimeError(f"--vocab-max-size must be larger than {len(SPECIAL_TOKENS)} (the special tokens), got {max_size}")
    counter = Tokenizer(models.WordLevel(unk_token=UNK))
    counter.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    trainer = trainers.WordLevelTrainer(
        vocab_size=max_size or 2**31 - 1,
        min_frequency=min_count,
        special_tokens=list(SPECIAL_TOKENS),
        show_progress=False,
    )
    counter.train_from_iterator(lines, trainer)
    return counter.get_vocab()


def build_tokenizer(
    directory: Path | str, fmt: str | None = None, min_count: int = 1, max_size: int | None = None
) -> Tokenizer:
    """The joined vocabulary of ``directory``'s training split."""
    seen = [0]

    def counted() -> Iterator[str]:
        for line in _lines(Path(directory), "train", fmt):
            seen[0] += 1
            yield line

    vocab = count_vocabulary(counted(), min_count, max_size)
    if not seen[0]:
        raise LimeError(f"{directory}: the 'train' split is empty")
    return word_level_tokenizer(_checked(vocab))


def tokenizer_from_lines(lines: Sequence[str], min_count: int = 1, max_size: int | None = None) -> Tokenizer:
    """The joined vocabulary of examples held in memory (a sample of an endless stream)."""
    return word_level_tokenizer(_checked(count_vocabulary(iter(lines), min_count, max_size)))


def save_tokenizer(tokenizer: Tokenizer, directory: Path) -> None:
    """Write ``tokenizer.json`` and ``tokenizer_config.json`` so ``AutoTokenizer`` loads them."""
    from transformers import PreTrainedTokenizerFast

    wrapped = PreTrainedTokenizerFast(  # BART takes no token_type_ids (older transformers would send them)
        tokenizer_object=tokenizer, bos_token=BOS, eos_token=EOS, pad_token=PAD, unk_token=UNK,
        model_input_names=["input_ids", "attention_mask"],
    )
    wrapped.save_pretrained(str(directory))


def load_tokenizer(directory: Path) -> Tokenizer:
    """The raw ``tokenizers`` object of a saved run (fast batch encoding without the HF wrapper)."""
    path = Path(directory) / "tokenizer.json"
    try:
        return Tokenizer.from_file(str(path))
    except Exception as error:  # tokenizers raises a bare Exception for a missing or corrupt file
        raise LimeError(f"{path}: not a readable tokenizer ({error})") from None
