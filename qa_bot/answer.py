"""Answers with pin cites. The default answerer is extractive (offline, no LLM): it quotes the
sentences of the retrieved passages that best answer the question, each with a citation whose
offsets point at exactly that sentence in the opinion's clean text, so its citations are right by
construction. ``answerer="llm"`` asks a generative model instead (``qa_bot.llm``); both go through
``qa_bot.verify`` before the ``Answer`` is returned.

Sentence score = 0.6 * cosine(question, sentence) (the library's embedding model)
               + 0.4 * weighted term coverage (IDF over the candidate sentences, lexical tokeniser)
minus a penalty for sentences that are mostly citation strings. The best score decides abstention.

Abstention threshold (``AnswerSettings.abstain_threshold``), how it is calibrated: run
``eval/bench_answer.py --index <library holding Pena> --calibrate`` over eval/sets/pena_dev.jsonl
(46 answerable, 7 unanswerable questions about Pena v. DePrisco). It prints, for every candidate
threshold, the answerable questions that would abstain and the unanswerable ones that would be
answered. Measured: the unanswerable questions are near misses about the same opinion (Miranda,
damages, Dram Shop Act...) whose best sentences score 0.33-0.61, overlapping the weakest answerable
ones (0.26, 0.31, 0.33, 0.35...), so no threshold separates them; the error count is flat from 0.10
to 0.36 (7-9 errors). We take 0.30: it costs one answerable question (out of 46) and still abstains
on questions the library has nothing on (an off-topic question scores well below 0.30). Separating
near misses needs a different signal (an NLI check of the best sentence), not a threshold.
"""

from __future__ import annotations

import functools
import math
from dataclasses import replace
from typing import Callable, Iterator, Sequence

import numpy as np

from .cite import cite_passage, format_pin
from .errors import BadQuestion, choices
from .settings import AnswerSettings
from .types import CANNOT_ANSWER, Answer, AnswerSentence, Citation, Hit, Opinion, Passage

Embed = Callable[[Sequence[str]], np.ndarray]  # texts -> (n, d) L2-normalised; texts[0] is the query

ANSWERERS = ("extractive", "llm")
_RETRIEVE_OPTIONS = ("k", "mode", "courts", "years", "case", "per_opinion_cap")
_ANSWER_OPTIONS = ("max_sentences", "abstain_threshold", "weak_threshold", "drop_unsupported")
DENSE_WEIGHT, LEXICAL_WEIGHT = 0.6, 0.4
MIN_WORDS = 5  # shorter "sentences" (headings, "Id.", "We agree.") are not quoted as answers
REDUNDANT = 0.85  # cosine above which a candidate repeats an already chosen sentence

# --- sentences ---------------------------------------------------------------------------------
def sentence_spans(text: str, offset: int = 0, protect: Sequence[tuple[int, int]] = ()) -> list[tuple[int, int]]:
    """(start, end) of each sentence of ``text``, shifted by ``offset``, never splitting inside a
    ``protect`` span (absolute offsets: the opinion's citations). The chunker's splitter
    (``qa_bot.sentences``), so answer sentences and passage boundaries agree."""
    from .sentences import split

    spans = split(text, 0, None, sorted((a - offset, b - offset) for a, b in protect))
    return [(a + offset, b + offset) for a, b in spans]


# --- scoring helpers ---------------------------------------------------------------------------
def _terms(text: str) -> list[str]:
    from .lexical import tokenize

    return tokenize(text)


def term_coverage(question_terms: Sequence[str], sentence_terms: set[str], idf: dict[str, float]) -> float:
    """IDF-weighted share of the question's distinct terms that occur in the sentence (0..1)."""
    q = set(question_terms)
    total = sum(idf.get(t, 1.0) for t in q)
    if not total:
        return 0.0
    return sum(idf.get(t, 1.0) for t in q if t in sentence_terms) / total


def local_idf(docs: Sequence[set[str]]) -> dict[str, float]:
    n = len(docs)
    df: dict[str, int] = {}
    for d in docs:
        for t in d:
            df[t] = df.get(t, 0) + 1
    return {t: math.log(1 + (n - c + 0.5) / (c + 0.5)) for t, c in df.items()}


@functools.lru_cache(maxsize=2)
def _sentence_model(model: str):
    from sentence_transformers import SentenceTransformer

    from .offline import resolve_model

    return SentenceTransformer(resolve_model(model), device="cpu")


def embedder(lib) -> Embed:
    """The library's embedding function (texts[0] is embedded as a query, the rest as documents):
    the retriever's ``Embedder`` when there is one, else the model the library's settings name.
    Document vectors are cached per library (a chat session quotes the same passages again)."""
    cached = getattr(lib, "_answer_embed", None)
    if cached is not None:
        return cached
    emb = getattr(_try_retriever(lib), "embedder", None)
    if emb is not None and hasattr(emb, "encode_queries") and hasattr(emb, "encode_documents"):
        encode_query, encode_docs = (lambda t: emb.encode_queries(t)), (lambda t: emb.encode_documents(t))
    else:
        model = _sentence_model(lib.settings.embed.model)
        encode_query = encode_docs = lambda t: model.encode(list(t), batch_size=64, normalize_embeddings=True,
                                                            convert_to_numpy=True, show_progress_bar=False)
    cache: dict[str, np.ndarray] = {}

    def embed(texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        q = _normalise(np.asarray(encode_query(texts[:1]), dtype=np.float32))
        todo = list(dict.fromkeys(t for t in texts[1:] if t not in cache))
        if todo:
            if len(cache) > 20_000:
                cache.clear()
            cache.update(zip(todo, _normalise(np.asarray(encode_docs(todo), dtype=np.float32))))
        return np.vstack([q] + [cache[t][None, :] for t in texts[1:]])

    try:
        lib._answer_embed = embed
    except AttributeError:
        pass
    return embed


def _try_retriever(lib):
    try:
        return lib.retriever
    except Exception:  # noqa: BLE001 - no retriever yet: fall back to loading the model ourselves
        return None


def _normalise(v: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(v, axis=1, keepdims=True)
    return v / np.maximum(n, 1e-12)


# --- the extractive answerer --------------------------------------------------------------------
class _Cand:
    __slots__ = ("hit", "op", "start", "end", "text", "terms", "score", "dense", "lex", "vec")

    def __init__(self, hit: Hit, op: Opinion, start: int, end: int):
        self.hit, self.op, self.start, self.end = hit, op, start, end
        self.text = op.text[start:end]
        self.terms: set[str] = set()
        self.score = self.dense = self.lex = 0.0
        self.vec = None


def sentence_pin(op: Opinion, start: int, end: int, passage: Passage | None = None) -> str:
    """The pin of the span itself: "109" for a sentence on page 109 of a passage that began on 108,
    "108-09" for one that crosses the break, "105 n.5" inside footnote 5 (marker on page 105)."""
    fn = op.footnote_at(start)
    if fn is not None:
        page = fn.page if fn.page is not None else (passage.page_start if passage else None)
        return format_pin(page, None, fn.label)
    if op.pages:
        return format_pin(op.page_at(start), op.page_at(max(start, end - 1)), None)
    return passage.pin if passage is not None else ""


def make_citation(number: int, passage: Passage, op: Opinion, start: int, end: int) -> Citation:
    pin = sentence_pin(op, start, end, passage)
    full, short = cite_passage(passage, pin)
    return Citation(number=number, passage_id=passage.id, opinion_id=passage.opinion_id, start=start, end=end,
                    quote=op.text[start:end], pin=pin, full=full, short=short)


def _citation_share(op: Opinion, start: int, end: int) -> float:
    covered = sum(max(0, min(end, c.end) - max(start, c.start)) for c in op.cites)
    return covered / max(1, end - start)


def candidates(hits: Sequence[Hit], opinion: Callable[[str], Opinion]) -> list[_Cand]:
    """Every sentence of the hit passages, located in its opinion's clean text."""
    out: list[_Cand] = []
    for h in hits:
        p = h.passage
        op = opinion(p.opinion_id)
        start, end = p.start, p.end
        if op.text[start:end] != p.text:  # a store written by another chunker version: find the text
            i = op.text.find(p.text)
            if i < 0:
                continue
            start, end = i, i + len(p.text)
        protect = [(c.start, c.end) for c in op.cites if c.end > start and c.start < end]
        for s, e in sentence_spans(op.text[start:end], start, protect):
            out.append(_Cand(h, op, s, e))
    return out


def score_candidates(question: str, cands: list[_Cand], embed: Embed) -> None:
    q_terms = _terms(question)
    for c in cands:
        c.terms = set(_terms(c.text))
    idf = local_idf([c.terms for c in cands])
    vecs = embed([question] + [c.text for c in cands])
    qv, sv = vecs[0], vecs[1:]
    for c, v in zip(cands, sv):
        c.vec = v
        c.dense = float(np.dot(qv, v))
        c.lex = term_coverage(q_terms, c.terms, idf)
        words = len(c.text.split())
        short = 0.5 if words < MIN_WORDS else 0.0
        cite_heavy = 0.3 * max(0.0, _citation_share(c.op, c.start, c.end) - 0.5) * 2
        c.score = DENSE_WEIGHT * max(0.0, c.dense) + LEXICAL_WEIGHT * c.lex - short - cite_heavy


def select(cands: list[_Cand], max_sentences: int, floor: float) -> list[_Cand]:
    """Greedy: best first, skipping near-duplicates, stopping below ``floor``; then reading order
    (opinions by their best hit's rank, sentences by position)."""
    chosen: list[_Cand] = []
    seen: set[tuple[str, int]] = set()
    for c in sorted(cands, key=lambda c: -c.score):
        if len(chosen) >= max_sentences or c.score < floor:
            break
        if (c.op.id, c.start) in seen:  # overlapping passages yield the same sentence twice
            continue
        if any(float(np.dot(c.vec, o.vec)) > REDUNDANT for o in chosen):
            continue
        chosen.append(c)
        seen.add((c.op.id, c.start))
    first_rank: dict[str, int] = {}
    for c in sorted(chosen, key=lambda c: c.hit.rank):
        first_rank.setdefault(c.op.id, c.hit.rank)
    return sorted(chosen, key=lambda c: (first_rank[c.op.id], c.start))


def abstain(question: str, hits: Sequence[Hit], answerer: str, note: str) -> Answer:
    return Answer(question=question, sentences=(AnswerSentence(CANNOT_ANSWER, (), True, 0.0),), citations=(),
                  hits=tuple(hits), abstained=True, support=0.0, answerer=answerer, verified=True, note=note)


def extractive(question: str, hits: Sequence[Hit], opinion: Callable[[str], Opinion], embed: Embed,
               settings: AnswerSettings) -> Answer:
    """The extractive answer from ``hits`` (no verification yet: see ``verify.verify``)."""
    cands = candidates(hits, opinion)
    if not cands:
        return abstain(question, hits, "extractive", "No passage matched the question.")
    score_candidates(question, cands, embed)
    best = max(c.score for c in cands)
    if best < settings.abstain_threshold:
        return abstain(question, hits, "extractive",
                       f"The closest passages score {best:.2f}, below the abstention threshold "
                       f"{settings.abstain_threshold:.2f}; they are listed for reference.")
    chosen = select(cands, settings.max_sentences, max(settings.abstain_threshold, 0.6 * best))
    sentences, cits = [], []
    for n, c in enumerate(chosen, 1):
        cits.append(make_citation(n, c.hit.passage, c.op, c.start, c.end))
        sentences.append(AnswerSentence(c.text, (n,), True, 1.0))
    note = ""
    if best < settings.weak_threshold:
        note = (f"Support is weak: the best matching sentence scores {best:.2f} (below {settings.weak_threshold:.2f}); "
                "the quotes may only touch on the question.")
    return Answer(question=question, sentences=tuple(sentences), citations=tuple(cits), hits=tuple(hits),
                  abstained=False, support=1.0, answerer="extractive", verified=True, note=note)


# --- entry points (Library.ask / Library.ask_stream) ---------------------------------------------
def _split_options(lib, answerer: str | None, options: dict) -> tuple[str, dict, AnswerSettings, Embed | None]:
    st: AnswerSettings = lib.settings.answer
    embed = options.pop("embed", None)
    answer_opts = {k: options.pop(k) for k in list(options) if k in _ANSWER_OPTIONS}
    for k in ("llm_base_url", "llm_model", "llm_api_key", "llm_timeout", "gguf_path"):
        if k in options:
            answer_opts[k] = options.pop(k)
    st = replace(st, **answer_opts)
    unknown = [k for k in options if k not in _RETRIEVE_OPTIONS]
    if unknown:
        raise choices("ask option", unknown[0], list(_RETRIEVE_OPTIONS + _ANSWER_OPTIONS))
    name = answerer or st.answerer
    if name not in ANSWERERS:
        raise choices("answerer", name, ANSWERERS)
    if st.max_sentences <= 0:
        raise BadQuestion(f"max_sentences must be at least 1, not {st.max_sentences}")
    return name, options, st, embed


def _retrieval_query(question: str, history: Sequence) -> str:
    """A follow-up ("and what about the officers?") is searched together with the previous question."""
    if not history:
        return question
    prev = history[-1]
    prev_q = prev.question if hasattr(prev, "question") else prev[0] if isinstance(prev, (tuple, list)) else str(prev)
    return f"{prev_q} {question}" if len(question.split()) < 12 else question


def _check_question(question: str) -> str:
    if not isinstance(question, str) or not question.strip():
        raise BadQuestion("the question is empty")
    return question.strip()


def ask(lib, question: str, answerer: str | None = None, history: Sequence = (), **options) -> Answer:
    """Retrieve, answer, verify. Options: the search options (k, mode, courts, years, case,
    per_opinion_cap), AnswerSettings fields (max_sentences, abstain_threshold, ...), ``embed``."""
    final = None
    for piece in ask_stream(lib, question, answerer=answerer, history=history, **options):
        if isinstance(piece, Answer):
            final = piece
    assert final is not None
    return final


def ask_stream(lib, question: str, answerer: str | None = None, history: Sequence = (),
               **options) -> Iterator[str | Answer]:
    """Yields text pieces as they are produced, then the final verified ``Answer``."""
    from .verify import verify

    question = _check_question(question)
    name, search_opts, st, embed = _split_options(lib, answerer, dict(options))
    hits = lib.search(_retrieval_query(question, history), **search_opts)
    embed = embed or embedder(lib)
    cache: dict[str, Opinion] = {}

    def opinion(oid: str) -> Opinion:
        if oid not in cache:
            cache[oid] = lib.store.opinion(oid)
        return cache[oid]

    if name == "extractive":
        draft = extractive(question, hits, opinion, embed, st)
        answer = verify(draft, opinion, st, embed=embed)
        for s in answer.sentences:
            yield s.text + "".join(f" [{n}]" for n in s.citations) + " "
        yield answer
        return
    from .llm import generate

    yield from generate(question, hits, opinion, embed, st, history=history)


# --- command line: qa-bot ask ---------------------------------------------------------------------
def add_ask_arguments(sp) -> None:
    sp.add_argument("question")
    sp.add_argument("--answerer", choices=ANSWERERS, default=None, help="default: extractive (offline, no LLM)")
    sp.add_argument("--k", type=int, default=None, help="passages to retrieve")
    sp.add_argument("--mode", default=None, help="bm25 | dense | hybrid")
    sp.add_argument("--max-sentences", type=int, default=None)
    sp.add_argument("--keep-unsupported", action="store_true", help="mark unsupported sentences instead of dropping")
    sp.add_argument("--json", action="store_true", help="print the Answer as JSON")


def format_answer(answer: Answer, links: Callable | None = None) -> str:
    """The answer text, then each citation (full cite on an opinion's first use, short afterwards)
    with its quoted support and the authorities it cites."""
    lines = []
    for s in answer.sentences:
        line = s.text + "".join(f" [{n}]" for n in s.citations)
        if not s.supported:
            line += f"  (UNSUPPORTED: {s.flag})"
        lines.append(line)
    out = [" ".join(lines)]
    if answer.note:
        out += ["", f"Note: {answer.note}"]
    if answer.abstained and answer.hits:
        out += ["", "Closest passages:"]
        for h in answer.hits[:5]:
            p = h.passage
            out.append(f"  - {cite_passage(p)[0]}: {p.text[:160]}{'...' if len(p.text) > 160 else ''}")
    seen: set[str] = set()
    if answer.citations:
        out.append("")
    for c in answer.citations:
        cite = c.short if c.opinion_id in seen else c.full
        seen.add(c.opinion_id)
        out.append(f"[{c.number}] {cite}")
        out.append(f"    \"{c.quote}\"")
        for text, oid in (links(c) if links else []):
            out.append(f"    cites {text}: {'in your library (' + oid + ')' if oid else 'not in your library'}")
    return "\n".join(out)


def cli_ask(args) -> int:
    import json
    from dataclasses import asdict

    from .library import Library
    from .verify import linked_authorities

    lib = Library.open(args.index)
    opts = {k: v for k, v in (("k", args.k), ("mode", args.mode), ("max_sentences", args.max_sentences)) if v is not None}
    if args.keep_unsupported:
        opts["drop_unsupported"] = False
    answer = lib.ask(args.question, answerer=args.answerer, **opts)
    if args.json:
        print(json.dumps(asdict(answer), indent=2, ensure_ascii=False, default=str))
    else:
        print(format_answer(answer, lambda c: linked_authorities(lib, c)))
    return 0
