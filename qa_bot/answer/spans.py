"""Sentence spans inside an opinion, for quoting: the sentences of a span of an opinion's clean text
(never splitting a citation eyecite found), and the pieces of a sentence that crosses a page break.

The splitter is the chunker's (``qa_bot.ingest.sentences``), so answer sentences and passage
boundaries agree. The pin of a span is built by ``qa_bot.answer.cite.sentence_pin``.
"""

from __future__ import annotations

from typing import Sequence

from ..ingest.sentences import split
from ..types import Opinion


def sentence_spans(text: str, offset: int = 0, protect: Sequence[tuple[int, int]] = ()) -> list[tuple[int, int]]:
    """(start, end) of each sentence of ``text``, shifted by ``offset``, never splitting inside a
    ``protect`` span (absolute offsets: the opinion's citations). The chunker's splitter
    (``qa_bot.ingest.sentences``), so answer sentences and passage boundaries agree."""
    spans = split(text, 0, None, sorted((a - offset, b - offset) for a, b in protect))
    return [(a + offset, b + offset) for a, b in spans]


def opinion_sentences(op: Opinion, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans of ``op.text[start:end]`` (offsets into the opinion), never splitting a citation
    eyecite found in it."""
    protect = [(c.start, c.end) for c in op.cites if c.end > start and c.start < end]
    return sentence_spans(op.text[start:end], start, protect)


def page_pieces(op: Opinion, start: int, end: int) -> list[tuple[int, int]]:
    """A sentence that crosses a page break at a clause boundary (the break follows "," ";" or ":") as
    one span per page, so each quoted piece pins the page its words are on ("... (1989)," at 107,
    "that “a State’s failure ...”" at 108); a break inside a clause keeps the sentence whole (its pin
    is then the range, "107-08")."""
    cuts = []
    for off, _ in op.pages:
        if start < off < end and op.footnote_at(off) is None and op.text[start:off].rstrip()[-1:] in (",", ";", ":"):
            cuts.append(off)
    if not cuts:
        return [(start, end)]
    out = []
    for a, b in zip([start] + cuts, cuts + [end]):
        while a < b and op.text[a].isspace():
            a += 1
        while b > a and op.text[b - 1].isspace():
            b -= 1
        if a < b:
            out.append((a, b))
    return out
