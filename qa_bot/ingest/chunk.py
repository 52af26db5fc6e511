"""Chunker: ``Opinion`` -> ``Passage``s of whole sentences inside one paragraph or one footnote.

Sentences (see ``sentences``; eyecite citation spans are never split) are packed greedily up to
``ChunkSettings.max_tokens`` tiktoken tokens. A passage also closes where a new reporter page begins
once it holds ``min_tokens``, so most pins name one page. A sentence over budget is split at word
boundaries. Finally every passage must fit the embedding model's own limit
(``model_max_tokens``, counted with its tokenizer including special tokens); longer ones are split
again. Passage text is always ``Opinion.text[start:end]``; headings are not passages (they live on
in ``Passage.section``).
"""

from __future__ import annotations

from typing import Callable

from .. import offline
from ..settings import DEFAULT_MODEL, ChunkSettings
from ..types import Opinion, Paragraph, Passage
from . import sentences

Span = tuple[int, int]


def default_model_tokens(model: str = DEFAULT_MODEL) -> Callable[[str], int]:
    """Token count in the embedding model's tokenizer, [CLS]/[SEP] included."""
    tok = offline.model_tokenizer(model)
    return lambda s: len(tok(s, add_special_tokens=True, truncation=False, verbose=False)["input_ids"])


def chunk(op: Opinion, settings: ChunkSettings, model_tokens: Callable[[str], int] | None = None) -> list[Passage]:
    enc = offline.encoding(settings.encoding)
    model_tokens = model_tokens or default_model_tokens()
    text = op.text

    def n_tok(span: Span) -> int:
        return len(enc.encode_ordinary(text[span[0]:span[1]]))

    def fits(span: Span) -> bool:
        return n_tok(span) <= settings.max_tokens

    def fits_model(span: Span) -> bool:
        return model_tokens(text[span[0]:span[1]]) <= settings.model_max_tokens

    protected = [(c.start, c.end) for c in op.cites]
    out: list[Passage] = []
    for para in op.paragraphs:
        if para.kind == "heading" or para.end <= para.start:
            continue
        pieces: list[Span] = []
        for sent in sentences.split(text, para.start, para.end, protected):
            pieces += [sent] if fits(sent) else _split_words(text, sent, fits)
        for group in _pack(pieces, fits, _page_starts(op, para), settings.min_tokens, n_tok):
            for span in _enforce(text, group, fits_model):
                out.append(_passage(op, para, span, len(out), n_tok(span)))
    return out


def _page_starts(op: Opinion, para: Paragraph) -> list[int]:
    """Offsets inside ``para`` where a new reporter page begins (none for footnotes)."""
    if para.kind == "footnote":
        return []
    return [o for o, _ in op.pages if para.start < o < para.end]


def _pack(pieces: list[Span], fits: Callable[[Span], bool], page_starts: list[int], min_tokens: int,
          n_tok: Callable[[Span], int]) -> list[list[Span]]:
    """Greedy: add the next piece while the joined span fits; close early around a page start."""
    groups: list[list[Span]] = []
    for piece in pieces:
        if groups:
            cur = groups[-1]
            joined = (cur[0][0], piece[1])
            new_page = any(cur[0][0] < o < piece[1] for o in page_starts)  # a page begins in cur or piece
            if fits(joined) and not (new_page and n_tok((cur[0][0], cur[-1][1])) >= min_tokens):
                cur.append(piece)
                continue
        groups.append([piece])
    # a short tail (a lone "Id." after a long sentence) takes sentences back from its neighbour
    for prev, cur in zip(groups, groups[1:]):
        while len(prev) > 1 and n_tok((cur[0][0], cur[-1][1])) < min_tokens:
            moved = (prev[-1][0], cur[-1][1])
            if not fits(moved) or any(moved[0] < o < moved[1] for o in page_starts):
                break
            cur.insert(0, prev.pop())
    return groups


def _split_words(text: str, span: Span, fits: Callable[[Span], bool]) -> list[Span]:
    """Split ``span`` at word boundaries into the fewest greedy pieces that each fit."""
    out: list[Span] = []
    cur: Span | None = None
    for word in sentences.words(text, *span):
        if cur is not None and fits((cur[0], word[1])):
            cur = (cur[0], word[1])
            continue
        if cur is not None:
            out.append(cur)
        cur = word
        if not fits(word):  # one "word" over budget (a URL, a table row): cut by characters
            chars = _split_chars(word, fits)
            out += chars[:-1]
            cur = chars[-1]
    if cur is not None:
        out.append(cur)
    return out


def _split_chars(span: Span, fits: Callable[[Span], bool]) -> list[Span]:
    out, a = [], span[0]
    while a < span[1]:
        lo, hi = a + 1, span[1]
        while lo < hi:  # the longest prefix that fits (at least one character)
            mid = (lo + hi + 1) // 2
            lo, hi = (mid, hi) if fits((a, mid)) else (lo, mid - 1)
        out.append((a, lo))
        a = lo
    return out


def _enforce(text: str, group: list[Span], fits_model: Callable[[Span], bool]) -> list[Span]:
    """Split a packed group until every part fits the embedding model's sequence limit."""
    span = (group[0][0], group[-1][1])
    if fits_model(span):
        return [span]
    if len(group) > 1:
        half = len(group) // 2
        return _enforce(text, group[:half], fits_model) + _enforce(text, group[half:], fits_model)
    words = _split_words(text, span, fits_model)
    return words if len(words) > 1 else _split_chars(span, fits_model)


def _passage(op: Opinion, para: Paragraph, span: Span, ordinal: int, n_tokens: int) -> Passage:
    start, end = span
    m = op.meta
    return Passage(
        opinion_id=op.id, ordinal=ordinal, text=op.text[start:end], start=start, end=end,
        case_name=m.case_name, citation=m.citation, court=m.court, court_id=m.court_id, year=m.year,
        section=para.section, part=para.part, author=para.author,
        page_start=op.page_at(start), page_end=op.page_at(end - 1),
        footnote=para.footnote if para.kind == "footnote" else None, n_tokens=n_tokens,
    )
