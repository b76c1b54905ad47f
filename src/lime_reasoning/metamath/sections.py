"""The part / chapter / section / subsection headers of a database, read from its comments.

set.mm marks its outline with comments whose first line is a row of ``####`` (part), ``#*#*``
(chapter), ``=-=-`` (section) or ``-.-.`` (subsection), followed by the title and the same row again.
A header's span runs to the next header of the same or a higher level, so a small experiment can be
restricted to, say, the section "Logical negation".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from lime_reasoning.errors import LimeError
from lime_reasoning.metamath.database import NEVER
from lime_reasoning.metamath.lexer import Comment

LEVELS = {"####": 1, "#*#*": 2, "=-=-": 3, "-.-.": 4}
LEVEL_NAMES = {1: "part", 2: "chapter", 3: "section", 4: "subsection"}


@dataclass(frozen=True)
class Section:
    """A header and the tokens it spans: ``start`` (inclusive) to ``end`` (exclusive)."""

    level: int
    title: str
    start: int
    end: int


def _header(comment: Comment) -> tuple[int, str] | None:
    lines = [line.strip() for line in comment.text.splitlines()]
    if len(lines) < 3 or len(lines[0]) < 8:
        return None
    level = LEVELS.get(lines[0][:4])
    if level is None or lines[0] != lines[0][:4] * (len(lines[0]) // 4) + lines[0][: len(lines[0]) % 4]:
        return None
    try:
        closing = lines.index(lines[0], 1)
    except ValueError:
        return None
    title = " ".join(" ".join(lines[1:closing]).split())
    return (level, title) if title else None


def outline(comments: Sequence[Comment]) -> list[Section]:
    """Every header with its span, in database order (the last ones span to the end, ``NEVER``)."""
    headers = [(found, c.before_token) for c in comments if (found := _header(c)) is not None]
    sections = []
    for number, ((level, title), start) in enumerate(headers):
        end = next((s for (lv, _), s in headers[number + 1 :] if lv <= level), NEVER)
        sections.append(Section(level, title, start, end))
    return sections


def find_section(sections: Sequence[Section], query: str) -> Section:
    """The header whose title is ``query`` (ignoring case and spacing), else the one title containing it."""
    wanted = " ".join(query.split()).casefold()
    exact = [s for s in sections if s.title.casefold() == wanted]
    if exact:
        return exact[0]
    partial = [s for s in sections if wanted in s.title.casefold()]
    if len(partial) == 1:
        return partial[0]
    if not partial:
        raise LimeError(f"--section: no part, chapter or section is titled {query!r}")
    shown = "; ".join(f"{LEVEL_NAMES[s.level]} {s.title!r}" for s in partial[:5])
    more = f" and {len(partial) - 5} more" if len(partial) > 5 else ""
    raise LimeError(f"--section: {len(partial)} titles contain {query!r}: {shown}{more}")
