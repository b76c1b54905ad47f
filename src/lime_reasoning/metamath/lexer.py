"""Turning ``.mm`` files into one flat token list, with comments set aside and includes spliced in.

Speed matters (set.mm is 41 MB), so the text is cut at comments with ``str.find`` and every stretch
between two comments is split with ``str.split`` in C; no regular expression runs per token. Token
positions are not stored: a :class:`SourceMap` remembers where each stretch starts, and the line of a
token is recomputed only when an error message needs it.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from pathlib import Path

from lime_reasoning.errors import LimeError

WHITESPACE = " \t\n\r\f"
# Bytes a Metamath file may hold: printable ASCII and the five white-space characters.
ALLOWED_BYTES = bytes(range(0x20, 0x7F)) + WHITESPACE.encode()
TOKEN = re.compile(r"\S+")


@dataclass(frozen=True)
class SourceFile:
    path: Path
    text: str

    def line_of(self, offset: int) -> int:
        return self.text.count("\n", 0, offset) + 1


@dataclass(frozen=True)
class Comment:
    """A comment's text (between ``$(`` and ``$)``) and the index of the token that follows it."""

    before_token: int
    file: SourceFile
    start: int
    end: int

    @property
    def text(self) -> str:
        return self.file.text[self.start : self.end].strip()


@dataclass
class SourceMap:
    """Where each run of tokens came from: run ``k`` starts at token ``firsts[k]``, at ``offsets[k]`` of ``files[k]``."""

    firsts: list[int] = field(default_factory=list)
    files: list[SourceFile] = field(default_factory=list)
    offsets: list[int] = field(default_factory=list)

    def add(self, first_token: int, source: SourceFile, offset: int) -> None:
        self.firsts.append(first_token)
        self.files.append(source)
        self.offsets.append(offset)

    def locate(self, token_index: int) -> tuple[Path, int]:
        """The file and 1-based line of a token (the end of the last file for an index past the end)."""
        run = bisect.bisect_right(self.firsts, token_index) - 1
        if run < 0:
            return (self.files[0].path, 1) if self.files else (Path("?"), 1)
        source = self.files[run]
        skip = token_index - self.firsts[run]
        offset = len(source.text)
        for number, match in enumerate(TOKEN.finditer(source.text, self.offsets[run])):
            if number == skip:
                offset = match.start()
                break
        return source.path, source.line_of(offset)

    def where(self, token_index: int) -> str:
        path, line = self.locate(token_index)
        return f"{path}:{line}"


@dataclass
class Lexed:
    """The tokens of a database (includes spliced in, comments removed), its comments and its source map."""

    tokens: list[str]
    comments: list[Comment]
    source_map: SourceMap
    files: list[SourceFile]


def read_source(path: Path) -> SourceFile:
    """Read a file, insisting on the characters the Metamath specification allows."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise LimeError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise LimeError(f"{path}: is a directory, not a Metamath file") from None
    except OSError as error:
        raise LimeError(f"{path}: cannot read ({error.strerror or error})") from None
    bad = data.translate(None, ALLOWED_BYTES)
    if bad:
        offset = data.index(bad[:1])
        line = data.count(b"\n", 0, offset) + 1
        raise LimeError(
            f"{path}:{line}: character 0x{bad[0]:02x} is not allowed "
            "(a Metamath file holds printable ASCII and white space only)"
        )
    return SourceFile(path, data.decode("ascii"))


def _is_space_at(text: str, index: int) -> bool:
    return index < 0 or index >= len(text) or text[index] in WHITESPACE


class Lexer:
    """Collects tokens and comments from a root file and everything it includes."""

    def __init__(self) -> None:
        self.tokens: list[str] = []
        self.comments: list[Comment] = []
        self.source_map = SourceMap()
        self.files: list[SourceFile] = []
        self.seen: set[Path] = set()

    def run(self, root: Path) -> Lexed:
        self._file(root, None)
        return Lexed(self.tokens, self.comments, self.source_map, self.files)

    def _fail(self, source: SourceFile, offset: int, message: str) -> LimeError:
        return LimeError(f"{source.path}:{source.line_of(offset)}: {message}")

    def _file(self, path: Path, included_at: str | None) -> None:
        resolved = path.resolve()
        if resolved in self.seen:
            return
        self.seen.add(resolved)
        if included_at is not None and not path.is_file():
            raise LimeError(f"{included_at}: included file {path} does not exist")
        source = read_source(path)
        self.files.append(source)
        text = source.text
        position = 0
        while True:
            start = text.find("$(", position)
            stop = len(text) if start < 0 else start
            self._code(source, position, stop)
            if start < 0:
                return
            position = self._comment(source, start)

    def _comment(self, source: SourceFile, start: int) -> int:
        """Record the comment opening at ``start``; return the offset just after it."""
        text = source.text
        if not (_is_space_at(text, start - 1) and _is_space_at(text, start + 2)):
            raise self._fail(source, start, "'$(' must be separated from the text around it by white space")
        end = text.find("$)", start + 2)
        if end < 0:
            raise self._fail(source, start, "comment is never closed (no '$)' follows this '$(')")
        nested = text.find("$(", start + 2, end)
        if nested >= 0:
            raise self._fail(source, nested, "'$(' inside a comment (comments do not nest)")
        if not (_is_space_at(text, end - 1) and _is_space_at(text, end + 2)):
            raise self._fail(source, end, "'$)' must be separated from the text around it by white space")
        self.comments.append(Comment(len(self.tokens), source, start + 2, end))
        return end + 2

    def _code(self, source: SourceFile, start: int, stop: int) -> None:
        """Tokens of ``source.text[start:stop]``, a stretch without comments; includes are followed."""
        words = source.text[start:stop].split()
        if not words:
            return
        self.source_map.add(len(self.tokens), source, start)
        if "$[" not in words:
            self.tokens.extend(words)
            return
        at = words.index("$[")
        if at + 2 >= len(words) or words[at + 2] != "$]":
            raise LimeError(
                f"{self.source_map.where(len(self.tokens) + at)}: an include must read '$[ FILE $]' "
                "(with no comment inside it)"
            )
        self.tokens.extend(words[: at + 3])
        include_index = len(self.tokens) - 3
        self._file(source.path.parent / words[at + 1], self.source_map.where(include_index))
        matches = TOKEN.finditer(source.text, start, stop)
        for _ in range(at + 3):
            after = next(matches).end()
        self._code(source, after, stop)


def lex(path: Path | str) -> Lexed:
    """Tokens, comments and source map of the database at ``path``."""
    return Lexer().run(Path(path))
