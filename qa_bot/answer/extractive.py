"""Answers with pin cites. The default answerer is extractive (offline, no LLM): it quotes the
sentences of the retrieved passages that best answer the question, each with a citation whose
offsets point at exactly that sentence in the opinion's clean text, so its citations are right by
construction. ``answerer="llm"`` asks a generative model instead (``qa_bot.llm``); both go through
``qa_bot.verify`` before the ``Answer`` is returned.

Sentence score = 0.6 * cosine(question, the sentence's passage) + 0.4 * IDF-weighted coverage of the
question's terms by the sentence (library IDF from the BM25 index), minus penalties for very short
sentences and sentences that are mostly citation strings. The passage cosine is the one the retriever
already computed (``Hit.scores["dense"]``), so nothing is embedded at answer time (``passage_dense``).
Measured by eval/bench_answer.py on the demo library (53 pena_dev questions, k=10, load ~6 on 2
cores): answer step p50 28 ms / p95 34 ms vs retrieval p50 30 / p95 35 (x0.9); the previous answerer
embedded every candidate sentence (~30 per question), ~2 s p50, and embedding 10 sentences alone
costs ~0.8 s at that load even on one torch thread.

Pins: a sentence that crosses a page break at a clause boundary (after "," ";" ":") is quoted as one
piece per page, each with its own pin (``page_pieces``); otherwise the pin is the range of pages its
words are on, ignoring punctuation past the break (``sentence_pin``).

Abstention (in this order, all generic; method and numbers in eval/reports/README.md):
1. unknown names: a case name in the question ("X v. Y") that no library opinion is called and no
   retrieved passage mentions, or a run of capitalised words with a word the library never uses
   ("Dram Shop Act");
2. the best sentence score is below ``AnswerSettings.abstain_threshold`` (0.30);
3. topic mismatch: a question term the library treats as a topic (rare: IDF >= ``SALIENT_IDF``, and
   bursty: used in >= ``TOPIC_BURST`` passages per opinion using it, e.g. "miranda", "excess(ive)",
   a party's name) that the opinion of the best sentence never uses. Words the library never uses or
   uses only here and there ("cops", "reptile", "colleague") do not count: they are how paraphrased
   answerable questions differ from the text.
4. a question that asks for a figure ("how long", "how much ... damages", "statute of limitations",
   "blood alcohol concentration", "what year") is answered only by sentences that state a figure of
   that kind (``abstain.figure_asked`` / ``states_figure``; numerals that label things, "§ 1983",
   "Rule 12(b)(6)", "n.18", and eyecite's citations do not count); if none of the sentences close to
   the best one does, it abstains.
A question that names a case the library holds is answered from that opinion's hits only.
Calibrated with ``eval/bench_answer.py --index demo --calibrate`` over eval/sets/pena_dev.jsonl (46
answerable, 7 unanswerable): abstains on 7/7 unanswerable and on 2/46 answerable (answered_rate
0.957). Signals 1-3 caught 5/7; the figure check (4) was added after seeing the other two (the § 1983
limitations period in New York, Grey's blood alcohol concentration: near misses about Pena itself).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Callable, Iterator, Sequence

import numpy as np

from .abstain import (FIGURE_NAMES, LibraryIdf, _bm25_idf, _try_retriever, abstain, figure_asked, states_figure,
                      library_case_names, library_idf, missing_topics, named_opinions,
                      unknown_cases, unknown_names, without_citations)
from .cite import cite_passage, format_pin
from .errors import BadQuestion, choices
from .settings import AnswerSettings
from .types import Answer, AnswerSentence, Citation, Hit, Opinion, Passage

Embed = Callable[[Sequence[str]], np.ndarray]  # texts -> (n, d) L2-normalised; texts[0] is the query

ANSWERERS = ("extractive", "llm")
_RETRIEVE_OPTIONS = ("k", "mode", "courts", "years", "case", "per_opinion_cap")
_ANSWER_OPTIONS = ("max_sentences", "abstain_threshold", "weak_threshold", "drop_unsupported")
DENSE_WEIGHT, LEXICAL_WEIGHT = 0.6, 0.4
MIN_WORDS = 5  # shorter "sentences" (headings, "Id.", "We agree.") are not quoted as answers
REDUNDANT = 0.8  # share of a candidate's terms (of the smaller term set) already in a chosen sentence
SELECT_MARGIN = 0.15

# --- sentences ---------------------------------------------------------------------------------
def sentence_spans(text: str, offset: int = 0, protect: Sequence[tuple[int, int]] = ()) -> list[tuple[int, int]]:
    """(start, end) of each sentence of ``text``, shifted by ``offset``, never splitting inside a
    ``protect`` span (absolute offsets: the opinion's citations). The chunker's splitter
    (``qa_bot.sentences``), so answer sentences and passage boundaries agree."""
    from .sentences import split

    spans = split(text, 0, None, sorted((a - offset, b - offset) for a, b in protect))
    return [(a + offset, b + offset) for a, b in spans]


def opinion_sentences(op: Opinion, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans of ``op.text[start:end]`` (offsets into the opinion), never splitting a citation
    eyecite found in it."""
    protect = [(c.start, c.end) for c in op.cites if c.end > start and c.start < end]
    return sentence_spans(op.text[start:end], start, protect)


# --- scoring helpers ---------------------------------------------------------------------------
def _terms(text: str) -> list[str]:
    from .lexical import tokenize

    return tokenize(text)


def term_coverage(question_terms: Sequence[str], sentence_terms: set[str], idf: Callable[[str], float] | dict) -> float:
    """IDF-weighted share of the question's distinct terms that occur in the sentence (0..1)."""
    w = idf if callable(idf) else (lambda t: idf.get(t, 1.0))
    q = set(question_terms)
    total = sum(w(t) for t in q)
    if not total:
        return 0.0
    return sum(w(t) for t in q if t in sentence_terms) / total


def local_idf(docs: Sequence[set[str]]) -> dict[str, float]:
    n = len(docs)
    df: dict[str, int] = {}
    for d in docs:
        for t in d:
            df[t] = df.get(t, 0) + 1
    return {t: _bm25_idf(n, c) for t, c in df.items()}


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
        from .embed import load_model  # the process-wide model cache the retriever uses too

        model = load_model(lib.settings.embed.model)
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


def _normalise(v: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(v, axis=1, keepdims=True)
    return v / np.maximum(n, 1e-12)

# --- the extractive answerer --------------------------------------------------------------------
class _Cand:
    __slots__ = ("hit", "op", "start", "end", "text", "terms", "score", "dense", "lex", "group")

    def __init__(self, hit: Hit, op: Opinion, start: int, end: int, group: int | None = None):
        self.hit, self.op, self.start, self.end = hit, op, start, end
        self.group = start if group is None else group  # pieces of one sentence share its start
        self.text = op.text[start:end]
        self.terms: set[str] = set()
        self.score = self.dense = self.lex = 0.0


def sentence_pin(op: Opinion, start: int, end: int, passage: Passage | None = None) -> str:
    """The pin of the span itself: "109" for a sentence on page 109 of a passage that began on 108,
    "108-09" for one that crosses the break, "105 n.5" inside footnote 5 (marker on page 105).
    The span's own words decide: leading and trailing punctuation, quotes and spaces (a full stop
    that the page break happens to follow) do not carry it onto another page."""
    fn = op.footnote_at(start)
    if fn is not None:
        page = fn.page if fn.page is not None else (passage.page_start if passage else None)
        return format_pin(page, None, fn.label)
    if op.pages:
        a, b = start, end
        while a < b - 1 and not op.text[a].isalnum():
            a += 1
        while b - 1 > a and not op.text[b - 1].isalnum():
            b -= 1
        return format_pin(op.page_at(a), op.page_at(b - 1), None)
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
        for s, e in opinion_sentences(op, start, end):
            for a, b in page_pieces(op, s, e):
                out.append(_Cand(h, op, a, b, group=s))
    return out


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


def passage_dense(question: str, hits: Sequence[Hit], embed: Embed | None) -> dict[int, float]:
    """Cosine of the question with each hit passage (by ``Hit.passage.id``, else its rank).

    The retriever already computed it for every passage in its dense candidates (``Hit.scores["dense"]``,
    inner product of normalised vectors): nothing is embedded. A hybrid hit that only BM25 found ranked
    below all of the dense candidates, so it gets the lowest dense score of the others (an upper
    bound). Only when no hit has a dense score (BM25 mode, a library without vectors) are the passages
    embedded, once, through ``embed`` (which caches them)."""
    key = {id(h): (h.passage.id if h.passage.id >= 0 else -h.rank) for h in hits}
    out = {key[id(h)]: float(h.scores["dense"]) for h in hits if h.scores and "dense" in h.scores}
    if out:
        low = min(out.values())
        return {key[id(h)]: out.get(key[id(h)], low) for h in hits}
    if embed is None or not hits:
        return {key[id(h)]: 0.0 for h in hits}
    vecs = embed([question] + [h.passage.text for h in hits])
    return {key[id(h)]: float(np.dot(vecs[0], v)) for h, v in zip(hits, vecs[1:])}


def _pkey(h: Hit) -> int:
    return h.passage.id if h.passage.id >= 0 else -h.rank


def score_candidates(question: str, cands: list[_Cand], embed: Embed | None, idf: Callable[[str], float] | None = None,
                     dense: dict[int, float] | None = None) -> None:
    """score = DENSE_WEIGHT * cosine(question, the sentence's passage) + LEXICAL_WEIGHT * IDF-weighted
    coverage of the question's terms by the sentence, minus penalties (very short sentences, sentences
    that are mostly citation strings)."""
    q_terms = _terms(question)
    for c in cands:
        c.terms = set(_terms(c.text))
    if idf is None:
        idf = local_idf([c.terms for c in cands])
    if dense is None:
        dense = passage_dense(question, list({id(c.hit): c.hit for c in cands}.values()), embed)
    for c in cands:
        c.dense = dense.get(_pkey(c.hit), 0.0)
        c.lex = term_coverage(q_terms, c.terms, idf)
        words = len(c.text.split())
        short = 0.5 if words < MIN_WORDS else 0.0
        cite_heavy = 0.3 * max(0.0, _citation_share(c.op, c.start, c.end) - 0.5) * 2
        c.score = DENSE_WEIGHT * max(0.0, c.dense) + LEXICAL_WEIGHT * c.lex - short - cite_heavy


def select(cands: list[_Cand], max_sentences: int, floor: float) -> list[_Cand]:
    """Greedy: best first, skipping sentences already taken (overlapping passages) and sentences whose
    terms mostly repeat a chosen one, stopping below ``floor``; then reading order (opinions by their
    best hit's rank, sentences by position)."""
    chosen: list[_Cand] = []
    seen: set[tuple[str, int]] = set()
    groups: set[tuple[str, int]] = set()
    for c in sorted(cands, key=lambda c: (-c.score, c.hit.rank, c.start)):
        if len(groups) >= max_sentences or c.score < floor:
            break
        if (c.op.id, c.start) in seen:  # overlapping passages yield the same sentence twice
            continue
        if any(_overlap(c.terms, o.terms) > REDUNDANT for o in chosen):
            continue
        # a sentence split at a page break (``page_pieces``) is quoted whole: all its pieces, in order
        for p in [x for x in cands if x.op.id == c.op.id and x.group == c.group and x.hit is c.hit] or [c]:
            if (p.op.id, p.start) not in seen:
                chosen.append(p)
                seen.add((p.op.id, p.start))
        groups.add((c.op.id, c.group))
    first_rank: dict[str, int] = {}
    for c in sorted(chosen, key=lambda c: c.hit.rank):
        first_rank.setdefault(c.op.id, c.hit.rank)
    return sorted(chosen, key=lambda c: (first_rank[c.op.id], c.start))


def _overlap(a: set[str], b: set[str]) -> float:
    return len(a & b) / max(1, min(len(a), len(b)))


def extractive(question: str, hits: Sequence[Hit], opinion: Callable[[str], Opinion], embed: Embed | None,
               settings: AnswerSettings, idf: LibraryIdf | None = None,
               case_names: Sequence[tuple[str, str]] = ()) -> Answer:
    """The extractive answer from ``hits`` (no verification yet: see ``verify.verify``). ``idf``: the
    library's term weights (``library_idf``; without it, IDF over the candidate sentences and no
    topic-term check); ``case_names``: (opinion id, case name) of the library's opinions
    (``library_case_names``), for the named-case checks."""
    names = [n for _, n in case_names]
    named = named_opinions(question, case_names)
    if any(h.passage.opinion_id in named for h in hits):  # the question names an opinion we retrieved
        cands = candidates([h for h in hits if h.passage.opinion_id in named], opinion)
    else:
        cands = candidates(hits, opinion)
    if not cands:
        return abstain(question, hits, "extractive", "No passage matched the question.")
    unknown = (unknown_cases(question, hits, names) or unknown_names(question, idf)) if idf is not None else []
    if unknown:
        return abstain(question, hits, "extractive",
                       f"The library holds no opinion named {unknown[0]} and no retrieved passage mentions it "
                       "(or the library never uses the name); "
                       "the closest passages are listed for reference.")
    score_candidates(question, cands, embed, idf)
    best_c = max(cands, key=lambda c: c.score)
    best = best_c.score
    if best < settings.abstain_threshold:
        return abstain(question, hits, "extractive",
                       f"The closest passages score {best:.2f}, below the abstention threshold "
                       f"{settings.abstain_threshold:.2f}; they are listed for reference.")
    missing = missing_topics(question, best_c.op, idf) if idf is not None else []
    if missing:
        return abstain(question, hits, "extractive",
                       f"The closest passages, from {best_c.op.meta.case_name or best_c.op.id}, never use "
                       f"{', '.join(repr(t) for t in missing[:3])}, which the question asks about and the library "
                       "discusses elsewhere; they are listed for reference.")
    floor = max(settings.abstain_threshold, best - SELECT_MARGIN)
    kind = figure_asked(question)
    if kind:  # "how long ...?": only sentences that state a figure of that kind answer it
        groups = {(c.op.id, c.group) for c in cands
                  if c.score >= floor and states_figure(without_citations(c.op, c.start, c.end), kind)}
        if not groups:
            return abstain(question, hits, "extractive",
                           f"The question asks for a figure ({FIGURE_NAMES[kind]}) and none of the closest passages "
                           "states one; they are listed for reference.")
        cands = [c for c in cands if (c.op.id, c.group) in groups]
    chosen = select(cands, settings.max_sentences, floor)
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
        draft = extractive(question, hits, opinion, embed, st, idf=library_idf(lib),
                           case_names=library_case_names(lib))
        answer = verify(draft, opinion, st, embed=embed)
        for s in answer.sentences:
            yield s.text + "".join(f" [{n}]" for n in s.citations) + " "
        yield answer
        return
    from .llm import generate

    yield from generate(question, hits, opinion, embed, st, history=history)
