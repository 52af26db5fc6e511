"""Metric math for ``qa-bot eval`` (definitions in ``/work/shared/eval-format.md``), free of I/O.

Retrieval, per question: ``ranked`` is, for each returned passage in rank order, the set of evidence
item indices it supports (empty = not relevant); ``n_items`` is the number of evidence items.

* ``hit@k``: some passage in the top k supports an item.
* ``evidence_recall@k``: supported items / all items, pooled over the questions (micro average).
* ``mrr@10``: 1 / rank of the first supporting passage, 0 if none in the top 10.
* ``ndcg@10``: binary gains, DCG = sum rel_i / log2(i + 1); the ideal ranking has min(n_items, 10)
  relevant passages. Several passages may support one item (a quote split across two), so DCG can
  exceed that ideal; the ratio is capped at 1.

Answers: ``citation_recall``/``citation_precision`` follow ALCE (Gao et al. 2023, ``eval.py``
``compute_autoais``): a sentence is supported when the concatenation of all its cited texts supports it
(no citation = unsupported); per citation, a sentence with one citation scores its joint support; in a
supported sentence with several, a citation is imprecise when it alone does not support the sentence
yet the others without it still do. Per answer: recall = supported sentences / sentences, precision =
precise citations / citations (0 with none); both are then averaged over answers. ``judge`` is any
``(sentence, [cited texts]) -> bool``; ``QuoteJudge`` is the default (an NLI model can replace it).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Callable, Sequence

from ..text import normalize, stopwords
from .evalset import has_run

Ranked = Sequence[frozenset[int] | set[int]]
Judge = Callable[[str, Sequence[str]], bool]


# -- retrieval --------------------------------------------------------------------------------------
def first_rank(ranked: Ranked) -> int | None:
    """1-based rank of the first passage that supports any item."""
    for i, items in enumerate(ranked, 1):
        if items:
            return i
    return None


def hit_at(ranked: Ranked, k: int) -> float:
    r = first_rank(ranked[:k])
    return 1.0 if r is not None else 0.0


def items_found_at(ranked: Ranked, k: int) -> int:
    found: set[int] = set()
    for items in ranked[:k]:
        found |= set(items)
    return len(found)


def rr_at(ranked: Ranked, k: int = 10) -> float:
    r = first_rank(ranked[:k])
    return 1.0 / r if r is not None else 0.0


def ndcg_at(ranked: Ranked, n_items: int, k: int = 10) -> float:
    ideal = sum(1.0 / math.log2(i + 1) for i in range(1, min(n_items, k) + 1))
    if ideal == 0:
        return 0.0
    dcg = sum(1.0 / math.log2(i + 1) for i, items in enumerate(ranked[:k], 1) if items)
    return min(1.0, dcg / ideal)


RETRIEVAL_KEYS = ("hit@1", "hit@3", "hit@5", "hit@10", "evidence_recall@5", "evidence_recall@10", "mrr@10", "ndcg@10")


def retrieval_metrics(judged: Sequence[tuple[Ranked, int]]) -> dict[str, float | None]:
    """``judged``: (ranked, n_items) per answerable question -> the report's "retrieval" block."""
    if not judged:
        return {key: None for key in RETRIEVAL_KEYS}
    n = len(judged)
    items = sum(m for _, m in judged)
    out: dict[str, float | None] = {}
    for k in (1, 3, 5, 10):
        out[f"hit@{k}"] = sum(hit_at(r, k) for r, _ in judged) / n
    for k in (5, 10):
        out[f"evidence_recall@{k}"] = sum(items_found_at(r, k) for r, _ in judged) / items if items else None
    out["mrr@10"] = sum(rr_at(r, 10) for r, _ in judged) / n
    out["ndcg@10"] = sum(ndcg_at(r, m, 10) for r, m in judged) / n
    return out


# -- answer support ---------------------------------------------------------------------------------
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def content_words(text: str) -> list[str]:
    """The words of ``text`` (normalised) without stop words (``text.stopwords``)."""
    stop = stopwords()
    return [w for w in _WORD.findall(normalize(text)) if w not in stop]


@dataclass(frozen=True)
class QuoteJudge:
    """Default support judge: the evidence quote rule applied to the sentence (as the quote) against the
    concatenated cited texts, so a verbatim (or >= 60% contiguous) quote is supported; otherwise the
    share of the sentence's content words found in the cited texts must reach ``lexical``."""

    run: float = 0.6
    lexical: float = 0.75

    def __call__(self, sentence: str, cited: Sequence[str]) -> bool:
        texts = [c for c in cited if c]
        if not texts:
            return False
        s = _strip_quote_marks(normalize(sentence))
        joined = normalize(" ".join(texts))
        if has_run(s, joined, self.run):
            return True
        words = content_words(s)
        if not words:
            return False
        pool = set(content_words(joined))
        return sum(w in pool for w in words) / len(words) >= self.lexical


def _strip_quote_marks(s: str) -> str:
    return s.replace('"', "").strip()


def alce_answer(sentences: Sequence[tuple[str, Sequence[str | None]]], judge: Judge) -> tuple[float, float]:
    """ALCE citation (recall, precision) for one answer. ``sentences``: (text, cited texts in citation
    order); a ``None`` cited text is a marker that points nowhere (counted, never supporting)."""
    if not sentences:
        return 0.0, 0.0
    entail = 0
    precise = 0
    total = 0
    for text, cited in sentences:
        total += len(cited)
        if not cited or any(c is None for c in cited):
            joint = False
        else:
            joint = judge(text, list(cited))
        entail += joint
        if joint and len(cited) > 1:
            for i, c in enumerate(cited):
                if judge(text, [c]):
                    precise += 1
                elif not judge(text, [x for j, x in enumerate(cited) if j != i]):
                    precise += 1  # needed: without it the rest do not support the sentence
        else:
            precise += int(joint)  # one citation: precise iff it supports; unsupported: none precise
    return entail / len(sentences), (precise / total if total else 0.0)


# -- pins, abstention, latency ----------------------------------------------------------------------
def pin_key(pin: str) -> str:
    """"111 n. 18" -> "111n.18"; pins compare on this key."""
    return re.sub(r"\s+", "", pin or "").lower()


def pins_equal(cited: str, gold: str) -> bool:
    return bool(pin_key(gold)) and pin_key(cited) == pin_key(gold)


def ratio(num: float, den: float) -> float | None:
    return num / den if den else None


def abstention_metrics(outcomes: Sequence[tuple[bool, bool]]) -> dict[str, float | None]:
    """``outcomes``: (answerable, abstained) per question (all questions)."""
    abstained = [a for a in outcomes if a[1]]
    unanswerable = [a for a in outcomes if not a[0]]
    answerable = [a for a in outcomes if a[0]]
    return {
        "abstain_precision": ratio(sum(not a for a, _ in abstained), len(abstained)),
        "abstain_recall": ratio(sum(ab for _, ab in unanswerable), len(unanswerable)),
        "answered_rate": ratio(sum(not ab for _, ab in answerable), len(answerable)),
    }


def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear-interpolation percentile (numpy's default), ``q`` in 0..100."""
    if not values:
        return None
    xs = sorted(values)
    pos = (len(xs) - 1) * q / 100.0
    lo = math.floor(pos)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)
