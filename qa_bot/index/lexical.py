"""BM25 over store passage ids (bm25s + PyStemmer), with a tokeniser that keeps legal citations searchable.

Tokens: lower-cased, English-stemmed words without stopwords, plus citation forms that plain word
splitting would destroy: ``42 U.S.C. § 1983`` -> ``42 usc 1983 §1983``, ``section 1983`` -> ``section 1983
§1983``, ``F.3d`` -> ``f3d``, ``12(b)(6)`` -> ``12b6``.

Why bm25s and not SQLite FTS5 (measured on 13,418 real Supreme Court paragraphs, 10.3 M characters,
busy 2-core machine): our tokeniser costs 2.9 s either way (FTS5's own porter tokeniser is faster,
0.3 s, but splits "F.3d", "§ 1983" and "12(b)(6)" apart); indexing takes 0.6 s in bm25s, 1.8 s in FTS5;
a 6-10 word OR query takes 0.2 ms in bm25s (sparse column sums in numpy) against 3.9 ms in FTS5 (its
bm25() runs for every row matching any term). bm25s cannot add documents to an index, so we keep
every passage's token ids (``tokens``/``offsets`` in the saved file): a sync tokenises only the new
passages and recomputes the score matrix from token ids (1,000 new passages on 13k: 0.7 s in all).

BM25 parameters ``K1 = 0.9``, ``B = 0.4`` (Anserini's defaults; bm25s' 1.5 / 0.75 were worse on
eval/sets/pena_dev.jsonl, see eval/reports/README.md). They are baked into the saved score matrix, so
they are part of ``KIND``: an index of another kind is rebuilt by the next sync (``retrieve``), and so is
one built before documents got their contextual header field (``HEADER``, ``index.sync.lexical_header``).

The index is one ``.npz`` file written atomically (temp file, fsync, ``os.replace``).
"""

from __future__ import annotations

import functools
import math
import re
from pathlib import Path
from typing import Callable, Iterable, Sequence

import numpy as np

from ..atomic import atomic_path
from ..errors import IndexCorrupt
from ..text import fold, stopwords
from ..types import Passage

FILE_NAME = "lexical.npz"
KIND = "bm25s-2"  # bm25s, K1/B below, header field (HEADER) beside the passage's own terms
# Header terms (case name, court, section path) are stored with this prefix, a field apart: the body
# terms keep the passage's own document frequencies (the answerer reads them as the library's IDF),
# and a query term scores in both fields ("Second Circuit" matches every passage of a 2d Cir. opinion).
HEADER = "^"
K1 = 0.9
B = 0.4

_TOKEN = re.compile(
    r"""
    (?P<sec>§+\s*(?P<secnum>\d+[a-z]?))              # § 1983, §§1981
   |(?P<paren>\d+[a-z]?(?:\([a-z0-9]{1,4}\))+)       # 12(b)(6) -> 12b6
   |(?P<abbr>[^\W_]+(?:\.[^\W_]+)+\.?)               # U.S.C., F.3d, F.Supp.2d, S.Ct.
   |(?P<word>[^\W_]+(?:['’][^\W_]+)*)                # words and numbers (any script)
    """,
    re.X,
)
_SECTION_WORDS = {"section", "sec", "sections"}


@functools.lru_cache(maxsize=1)
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


_STEMS: dict[str, str] = {}  # word -> stem (or "" for a stopword); the stemmer is the slow part


def _stem(w: str) -> str:
    s = _STEMS.get(w)
    if s is None:
        w2 = w.replace("'", "").replace("’", "")
        if w2.endswith("s") and (w.endswith("'s") or w.endswith("’s")):
            w2 = w2[:-1]
        if w2.isdigit():
            s = w2
        elif not w2 or w2 in stopwords() or w in stopwords():
            s = ""
        else:
            s = _stemmer().stemWord(w2)
        if len(_STEMS) < 500_000:
            _STEMS[w] = s
    return s


def tokenize(text: str) -> list[str]:
    """The lexical tokens of ``text`` (documents and queries alike)."""
    text = fold(text)
    out: list[str] = []
    prev = ""
    for sec, secnum, paren, abbr, word in _TOKEN.findall(text):
        if word:
            s = _stem(word)
            if s:
                out.append(s)
                if prev in _SECTION_WORDS and s.isdigit():
                    out.append("§" + s)
            prev = word
        elif sec:
            out += [secnum, "§" + secnum]
            prev = ""
        elif paren:
            out.append(paren.replace("(", "").replace(")", ""))
            prev = ""
        else:
            out.append(abbr.replace(".", ""))
            prev = ""
    return out


class Lexical:
    """A BM25 index over passage ids. ``add`` tokenises new passages; ``search`` scores a query."""

    def __init__(self) -> None:
        self.ids = np.zeros(0, dtype=np.int64)  # passage id of each bm25s document
        self.fps = np.zeros(0, dtype=np.int64)  # fingerprint of each passage's content (see retrieve)
        self.vocab: dict[str, int] = {}
        self.tokens = np.zeros(0, dtype=np.int32)  # all documents' token ids, concatenated
        self.offsets = np.zeros(1, dtype=np.int64)  # document i is tokens[offsets[i]:offsets[i+1]]
        self._bm25 = None
        self._pos: dict[int, int] | None = None

    def __len__(self) -> int:
        return len(self.ids)

    # -- building -----------------------------------------------------------------------------------
    def add(self, ids: Sequence[int], texts: Sequence[str], fps: Sequence[int] | None = None,
            headers: Sequence[str] | None = None) -> None:
        """Append documents (their ids must not be indexed yet); call ``build`` afterwards. ``headers``
        (one per text: case name, court, section) are indexed as a separate field (see ``HEADER``)."""
        new_tokens: list[np.ndarray] = []
        lengths = []
        for j, text in enumerate(texts):
            terms = tokenize(text)
            if headers is not None and headers[j]:
                terms += [HEADER + t for t in dict.fromkeys(tokenize(headers[j]))]
            toks = [self.vocab.setdefault(t, len(self.vocab)) for t in terms]
            new_tokens.append(np.asarray(toks, dtype=np.int32))
            lengths.append(len(toks))
        if not len(ids):
            return
        self.ids = np.concatenate([self.ids, np.asarray(ids, dtype=np.int64)])
        self.fps = np.concatenate([self.fps, np.asarray(fps if fps is not None else [0] * len(ids), dtype=np.int64)])
        self.tokens = np.concatenate([self.tokens, *new_tokens])
        self.offsets = np.concatenate([self.offsets, self.offsets[-1] + np.cumsum(lengths, dtype=np.int64)])
        self._bm25 = None
        self._pos = None

    def remove(self, ids: Iterable[int]) -> None:
        drop = np.isin(self.ids, np.fromiter(ids, dtype=np.int64))
        if not drop.any():
            return
        keep = np.flatnonzero(~drop)
        parts = [self.tokens[self.offsets[i]:self.offsets[i + 1]] for i in keep]
        lengths = [len(p) for p in parts]
        self.ids = self.ids[keep]
        self.fps = self.fps[keep]
        self.tokens = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int32)
        self.offsets = np.concatenate([[0], np.cumsum(lengths, dtype=np.int64)])
        self._bm25 = None
        self._pos = None

    def build(self):
        """(Re)compute the BM25 score matrix from the stored token ids."""
        import bm25s

        bm = bm25s.BM25(k1=K1, b=B)
        if len(self.ids):
            docs = [self.tokens[self.offsets[i]:self.offsets[i + 1]].tolist() for i in range(len(self.ids))]
            vocab = dict(self.vocab)
            if "" not in vocab:
                vocab[""] = len(vocab)  # bm25s scores documents without tokens through an empty token
            bm.index((docs, vocab), show_progress=False, create_empty_token=False)
        self._bm25 = bm
        return bm

    def term_stats(self) -> tuple[dict[str, int], Callable[[str], list[int]]]:
        """(document frequency of every term, term -> passage ids using it), from the BM25 postings;
        the answerer reads them as the library's term statistics."""
        bm = self._bm25 or self.build()
        if not len(self.ids):
            return {}, lambda term: []
        indptr, indices = np.asarray(bm.scores["indptr"]), np.asarray(bm.scores["indices"])
        counts = np.diff(indptr)
        df = {t: int(counts[i]) for t, i in self.vocab.items() if i < len(counts) and counts[i]}

        def postings(term: str) -> list[int]:
            i = self.vocab.get(term)
            if i is None or i >= len(counts):
                return []
            return self.ids[indices[indptr[i]:indptr[i + 1]]].tolist()

        return df, postings

    # -- searching ----------------------------------------------------------------------------------
    def search(self, query: str, n: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """Up to ``n`` (passage id, BM25 score) pairs, best first; only positive scores. ``allowed`` is a
        boolean mask over documents (see ``mask``) for filtered search."""
        if not len(self.ids) or n <= 0:
            return []
        bm = self._bm25 or self.build()
        terms = tokenize(query)
        terms += [HEADER + t for t in terms]  # every query term also matches the header field
        q = [self.vocab[t] for t in terms if t in self.vocab]
        if not q:
            return []
        scores = bm.get_scores_from_ids(q)
        if allowed is not None:
            scores = np.where(allowed, scores, 0.0)
        n = min(n, len(scores))
        top = np.argpartition(-scores, n - 1)[:n]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(int(self.ids[i]), float(scores[i])) for i in top if scores[i] > 0]

    def mask(self, ids: Iterable[int]) -> np.ndarray:
        """Boolean mask over this index's documents that selects the given passage ids."""
        return np.isin(self.ids, np.fromiter(ids, dtype=np.int64))

    # -- persistence --------------------------------------------------------------------------------
    def save(self, path: Path) -> None:
        path = Path(path)
        bm = self._bm25 or self.build()
        s = bm.scores if len(self.ids) else {"data": [], "indices": [], "indptr": [0], "num_docs": 0}
        # one UTF-8 blob, "\n"-separated (tokens never hold whitespace): a fixed-width string array
        # would pad every token to the longest one
        vocab = "\n".join(sorted(self.vocab, key=self.vocab.__getitem__)).encode("utf-8")
        with atomic_path(path) as tmp, open(tmp, "wb") as f:
            np.savez(
                f, ids=self.ids, fps=self.fps, tokens=self.tokens, offsets=self.offsets,
                vocab=np.frombuffer(vocab, dtype=np.uint8),
                data=np.asarray(s["data"], dtype=np.float32), indices=np.asarray(s["indices"], dtype=np.int32),
                indptr=np.asarray(s["indptr"], dtype=np.int64), num_docs=np.int64(s["num_docs"]),
            )

    @classmethod
    def load(cls, path: Path) -> "Lexical":
        import bm25s

        path = Path(path)
        try:
            with np.load(path, allow_pickle=False) as z:
                lex = cls()
                lex.ids, lex.fps, lex.tokens, lex.offsets = z["ids"], z["fps"], z["tokens"], z["offsets"]
                blob = z["vocab"].tobytes().decode("utf-8")
                lex.vocab = {t: i for i, t in enumerate(blob.split("\n"))} if blob else {}
                if len(lex.ids):
                    bm = bm25s.BM25(k1=K1, b=B)
                    bm.scores = {"data": z["data"], "indices": z["indices"], "indptr": z["indptr"],
                                 "num_docs": int(z["num_docs"])}
                    bm.vocab_dict = dict(lex.vocab)
                    bm.vocab_dict.setdefault("", len(bm.vocab_dict))
                    bm.unique_token_ids_set = set(bm.vocab_dict.values())
                    bm.nonoccurrence_array = None  # the default "lucene" BM25 variant has none
                    lex._bm25 = bm
        except (OSError, ValueError, KeyError, EOFError, UnicodeError) as e:
            raise IndexCorrupt(f"{path}: unreadable lexical index ({type(e).__name__}: {e}); run qa-bot sync") from None
        if len(lex.offsets) != len(lex.ids) + 1 or len(lex.fps) != len(lex.ids):
            raise IndexCorrupt(f"{path}: lexical index is inconsistent; run qa-bot sync")
        return lex


# --- the library's term statistics (read by the answerer) ----------------------------------------
def bm25_idf(n: int, df: int) -> float:
    """BM25's (Lucene's) IDF of a term used in ``df`` of ``n`` documents."""
    return math.log(1 + (n - df + 0.5) / (df + 0.5))


class LibraryIdf:
    """Term statistics of the library's passages: BM25 IDF of a term and the opinions that use it.

    Backed by the BM25 index's postings (``Lexical``: token -> passages) and the store's passage ->
    opinion map, or, for a library without a BM25 index, by counting its stored passages. A term the
    library never uses gets an IDF above any term it holds."""

    def __init__(self, n: int, df: dict[str, int], postings: Callable[[str], Sequence[int]], opinion_of: dict[int, str],
                 opinions_of: Callable[[str], frozenset[str]] | None = None):
        self.n, self.df = max(1, n), df
        self._postings, self._opinion_of = postings, opinion_of
        self._opinions_of = opinions_of  # a backend that answers "which opinions use this term" itself
        self.max_idf = bm25_idf(self.n, 0)
        self._ops: dict[str, frozenset[str]] = {}

    def __call__(self, term: str) -> float:
        c = self.df.get(term, 0)
        return bm25_idf(self.n, c) if c else self.max_idf

    def opinions(self, term: str) -> frozenset[str]:
        """Ids of the opinions with at least one passage using ``term``."""
        out = self._ops.get(term)
        if out is None and self._opinions_of is not None:
            out = self._opinions_of(term)
        if out is None:
            out = frozenset(self._opinion_of.get(int(i), "") for i in self._postings(term)) - {""}
            if len(self._ops) > 50_000:
                self._ops.clear()
            self._ops[term] = out
        return out

    @classmethod
    def of_index(cls, lex: "Lexical", opinion_of: dict[int, str]) -> "LibraryIdf":
        """From a BM25 index's postings; ``opinion_of``: passage id -> opinion id."""
        df, postings = lex.term_stats()
        return cls(len(lex), df, postings, opinion_of)

    @classmethod
    def of_stats(cls, stats) -> "LibraryIdf":
        """From a backend's ``TermStats`` (``backends.base``: n, df, opinions_of), looked up on demand."""
        return cls(stats.n, stats.df, lambda term: (), {}, stats.opinions_of)

    @classmethod
    def of_passages(cls, passages: Sequence[Passage]) -> "LibraryIdf":
        """By counting the terms of stored passages (a library without a BM25 index)."""
        post: dict[str, list[int]] = {}
        opinion_of = {}
        for p in passages:
            opinion_of[p.id] = p.opinion_id
            for t in set(tokenize(p.text)):
                post.setdefault(t, []).append(p.id)
        return cls(len(passages), {t: len(v) for t, v in post.items()}, lambda t: post.get(t, ()), opinion_of)
