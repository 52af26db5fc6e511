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

import bisect
from typing import Callable

from .. import offline
from ..settings import DEFAULT_MODEL, ChunkSettings
from ..types import Opinion, Paragraph, Passage
from . import sentences

Span = tuple[int, int]
_PROBE = 64  # characters: the first prefix _split_chars tries


def default_model_tokens(model: str = DEFAULT_MODEL) -> Callable[[str], int]:
    """Token count in the embedding model's tokenizer, [CLS]/[SEP] included. A model folder with a
    ``tokenizer.json`` is read by the ``tokenizers`` library alone (the same fast tokenizer transformers
    wraps, without importing transformers and torch into every ingest worker)."""
    fast = offline.fast_tokenizer(model)
    if fast is not None:
        return lambda s: len(fast.encode(s, add_special_tokens=True).ids)
    tok = offline.model_tokenizer(model)
    return lambda s: len(tok(s, add_special_tokens=True, truncation=False, verbose=False)["input_ids"])


def chunk(op: Opinion, settings: ChunkSettings, model_tokens: Callable[[str], int] | None = None,
          spans: Callable[[int, int], list[Span]] | None = None) -> list[Passage]:
    """``op``'s passages. ``spans``: the sentences of ``op.text[start:end]`` if already at hand (the
    roles tagger's, which are this splitter's: ``sentences.opinion_sentences``)."""
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
    page_offsets = sorted(o for o, _ in op.pages)
    out: list[Passage] = []
    for para in op.paragraphs:
        if para.kind == "heading" or para.end <= para.start:
            continue
        pieces: list[Span] = []
        for sent in (spans(para.start, para.end) if spans else sentences.split(text, para.start, para.end, protected)):
            pieces += [sent] if fits(sent) else _split_words(text, sent, fits)
        for group in _pack(pieces, fits, _page_starts(page_offsets, para), settings.min_tokens, n_tok):
            for span in _enforce(text, group, fits_model):
                out.append(_passage(op, para, span, len(out), n_tok(span)))
    return out


def _page_starts(offsets: list[int], para: Paragraph) -> list[int]:
    """Offsets inside ``para`` where a new reporter page begins (none for footnotes); ``offsets`` are
    the opinion's page offsets, sorted."""
    if para.kind == "footnote":
        return []
    return offsets[bisect.bisect_right(offsets, para.start):bisect.bisect_left(offsets, para.end)]


def _page_begins(page_starts: list[int], a: int, b: int) -> bool:
    """A page begins strictly inside (a, b)."""
    i = bisect.bisect_right(page_starts, a)
    return i < len(page_starts) and page_starts[i] < b


def _pack(pieces: list[Span], fits: Callable[[Span], bool], page_starts: list[int], min_tokens: int,
          n_tok: Callable[[Span], int]) -> list[list[Span]]:
    """Greedy: a group takes the next piece while the joined span fits, and closes early around a page
    start once it holds ``min_tokens``. Both tests only turn false as a group grows, so how far a group
    reaches is found by doubling, then bisecting (testing piece by piece encoded the growing group once
    per sentence: ~50 characters per character on a run of short sentences)."""
    groups: list[list[Span]] = []
    i = 0
    while i < len(pieces):
        first = pieces[i][0]

        def ok(j: int) -> bool:  # pieces[i:j] is one group: the group before pieces[j - 1] takes it
            if not fits((first, pieces[j - 1][1])):
                return False
            return not (_page_begins(page_starts, first, pieces[j - 1][1])
                        and n_tok((first, pieces[j - 2][1])) >= min_tokens)

        lo = _reach(i + 1, len(pieces), ok)
        groups.append(pieces[i:lo])
        i = lo
    # a short tail (a lone "Id." after a long sentence) takes sentences back from its neighbour
    for prev, cur in zip(groups, groups[1:]):
        while len(prev) > 1 and n_tok((cur[0][0], cur[-1][1])) < min_tokens:
            moved = (prev[-1][0], cur[-1][1])
            if not fits(moved) or _page_begins(page_starts, *moved):
                break
            cur.insert(0, prev.pop())
    return groups


def _reach(lo: int, limit: int, ok: Callable[[int], bool]) -> int:
    """The largest ``j`` in ``[lo, limit]`` with ``ok(j)``, where ``ok`` turns false only once as ``j``
    grows and ``lo`` is taken as given: found by doubling the step from ``lo``, then bisecting."""
    step = 1
    while lo + step <= limit and ok(lo + step):
        lo, step = lo + step, step * 2
    hi = min(lo + step - 1, limit)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        lo, hi = (mid, hi) if ok(mid) else (lo, mid - 1)
    return lo


def _split_words(text: str, span: Span, fits: Callable[[Span], bool]) -> list[Span]:
    """Split ``span`` at word boundaries into the fewest greedy pieces that each fit. How many words a
    piece takes is found by doubling, then bisecting, so the tokenizer sees each piece a few times
    rather than once per word added (~50 characters encoded per character on a run of short words)."""
    words = sentences.words(text, *span)
    out: list[Span] = []
    i = 0
    while i < len(words):
        if fits(words[i]):
            start = words[i][0]
        else:  # one "word" over budget (a URL, a table row): cut by characters; the last cut starts a piece
            chars = _split_chars(words[i], fits)
            out += chars[:-1]
            start = chars[-1][0]

        def ok(j: int) -> bool:  # words i..j-1 fit in one piece
            return fits((start, words[j - 1][1]))

        lo = _reach(i + 1, len(words), ok)
        out.append((start, words[lo - 1][1]))
        i = lo
    return out


def _split_chars(span: Span, fits: Callable[[Span], bool]) -> list[Span]:
    """Cut ``span`` into the longest prefixes that fit, each at least one character. Each cut is found
    by doubling a probe from ``_PROBE`` characters, then bisecting: its cost follows the piece's own
    length, not the rest of the span (bisecting over the whole rest was quadratic on a long unbroken run)."""
    out, a = [], span[0]
    while a < span[1]:
        lo, step = a + 1, _PROBE
        while a + step < span[1] and fits((a, a + step)):
            lo, step = a + step, step * 2
        hi = min(a + step, span[1])
        while lo < hi:  # the longest prefix in [lo, hi] that fits (lo fits, or is the forced minimum)
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
