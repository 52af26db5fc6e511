"""The pieces of a quoted sentence that crosses a page break. The sentences themselves come from the
chunker's splitter (``qa_bot.ingest.sentences.opinion_sentences``), so answer sentences, passage
boundaries and sentence roles agree. The pin of a span is built by ``qa_bot.answer.cite.sentence_pin``.
"""

from __future__ import annotations

from ..types import Opinion


def page_pieces(op: Opinion, start: int, end: int) -> list[tuple[int, int]]:
    """A sentence that crosses a page break at a clause boundary (the break follows "," ";" or ":") as
    one span per page, so each quoted piece pins the page its words are on ("... (1989)," at 107,
    "that “a State’s failure ...”" at 108); a break inside a clause keeps the sentence whole (its pin
    is then the range, "107-08"). Nor is a citation cut ("Parratt v. Taylor, | 451 U.S. 527 (1981)"): the
    comma inside it ends no clause, and a piece reading "Reasoning under Parratt v. Taylor," says nothing."""
    cuts = []
    for off, _ in op.pages:
        if (start < off < end and op.footnote_at(off) is None and op.text[start:off].rstrip()[-1:] in (",", ";", ":")
                and not any(c.start < off < c.end for c in op.cites)):
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
