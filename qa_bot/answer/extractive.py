"""The extractive answerer (the default; offline, no LLM): it quotes the sentences of the retrieved
passages that best answer the question, each with a citation whose offsets point at exactly that
sentence in the opinion's clean text, so its citations are right by construction. ``qa_bot.answer.ask``
routes a question here or to the generative answerer (``qa_bot.answer.llm``); both go through
``qa_bot.answer.verify`` before the ``Answer`` is returned.

Sentence score = 0.6 * cosine(question, the sentence's passage) + 0.4 * IDF-weighted coverage of the
question's terms by the sentence (library IDF from the BM25 index), minus penalties for very short
sentences and sentences that are mostly citation strings; a sentence that opens on a word referring back
("It began in the company of ...") is covered by its own and the previous sentence's terms, since the
answer quotes the two together (``compose.lead_span``), while abstention and the choice of the opinion
that answers read each sentence's own score. The passage cosine is the one the retriever
already computed (``Hit.scores["dense"]``), so nothing is embedded at answer time (``passage_dense``).
Measured by eval/bench_answer.py on the demo library (53 pena_dev questions, k=10, load ~6 on 2
cores): answer step p50 28 ms / p95 34 ms vs retrieval p50 30 / p95 35 (x0.9); the previous answerer
embedded every candidate sentence (~30 per question), ~2 s p50, and embedding 10 sentences alone
costs ~0.8 s at that load even on one torch thread.

Pins: a sentence that crosses a page break at a clause boundary (after "," ";" ":") is quoted as one
piece per page, each with its own pin (``spans.page_pieces``); otherwise the pin is the range of pages
its words are on, ignoring punctuation past the break (``cite.sentence_pin``).

Abstention and the weak-support note come from one list of signals (``abstain.SIGNALS``); every one
that fires is recorded in ``Answer.signals``, those in ``abstain.ABSTAIN_ON`` abstain and the others make
the note. Each has a reason in law or in the text's structure:
1. ``unknown_case`` / ``unknown_name``: a case the question names ("X v. Y") that no library opinion is
   called and no retrieved passage names (both parties in one passage), or a run of capitalised words
   with a word the library never uses ("Dram Shop Act"; the retrieved passages' authors count as used);
2. ``absent_name``: a capitalised word of the question (a party, a person, a place: "Grey", "Herrera")
   that the library uses but the quoted opinion never does, in its text, its name or its authors;
3. ``figure``: a question that asks for a figure ("how long", "how much ... damages", "what year") and no
   close sentence states one of that kind (``abstain.figure_asked`` / ``states_figure``);
4. ``low_score``: the best sentence scores below ``AnswerSettings.abstain_threshold`` (0.30);
5. ``low_retrieval``: the question's best cosine with any passage is below the library's own floor (the
   ``abstain.FLOOR_QUANTILE`` quantile of each passage's best match in another opinion,
   ``abstain.score_floor``), unless the question names a case the library holds;
Only noted: a topic term the quoted opinion never uses (``absent_topic``) or no retrieved passage uses
(``unretrieved_topic``), a named held case with another opinion quoted (``other_opinion``), no quoted
sentence of a role the question's form asks for (``unfit_role``: a holding, a rule, reasons, facts...;
``compose.unfit``; the tagger finds a third of holdings, and in BM25 mode it refused "What did the court
hold about qualified immunity?" on a Pena-only library), and a best sentence score below
``weak_threshold`` (``weak_score``). Each was measured on both development sets and
on questions about opinions the library does not hold (eval/levers_abstain.py,
eval/reports/levers_abstain.md). A question that names a case the library holds is answered from that
opinion's hits only.
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from ..index.lexical import LibraryIdf, bm25_idf
from ..settings import AnswerSettings
from ..types import Answer, AnswerSentence, Hit, Opinion
from .abstain import (FIGURE_NAMES, FLOOR_QUANTILE, Signal, abstain, absent_names, best_dense, decisive, figure_asked, missing_topics,
                      named_opinions, states_figure, unknown_cases, unknown_names, unretrieved_topics, weak_note,
                      without_citations)
from ..ingest.sentences import opinion_sentences
from ..retrieve.question import Intent, analyse
from . import compose
from .cite import make_citation
from .spans import page_pieces

Embed = Callable[[Sequence[str]], np.ndarray]  # texts -> (n, d) L2-normalised; texts[0] is the query
Similarity = Callable[[str, Sequence[int]], dict]  # (question, passage ids) -> cosine by id, from stored vectors

DENSE_WEIGHT, LEXICAL_WEIGHT = 0.6, 0.4
MIN_WORDS = 5  # shorter "sentences" (headings, "Id.", "We agree.") are not quoted as answers
REDUNDANT = 0.8  # share of a candidate's terms (of the smaller term set) already in a chosen sentence
SELECT_MARGIN = 0.15

# --- scoring helpers ---------------------------------------------------------------------------
def _terms(text: str) -> list[str]:
    from ..index.lexical import tokenize

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
    return {t: bm25_idf(n, c) for t, c in df.items()}


# --- the extractive answerer --------------------------------------------------------------------
class _Cand:
    __slots__ = ("hit", "op", "start", "end", "text", "terms", "score", "dense", "lex", "group", "role", "alone")

    def __init__(self, hit: Hit, op: Opinion, start: int, end: int, group: int | None = None):
        self.hit, self.op, self.start, self.end = hit, op, start, end
        self.group = start if group is None else group  # pieces of one sentence share its start
        self.text = op.text[start:end]
        self.role = op.role_at(self.group) or ""  # "" when the opinion was stored before roles existed

    @property
    def part(self) -> str:
        return self.hit.passage.part

    @property
    def author(self) -> str | None:
        return self.hit.passage.author
        self.terms: set[str] = set()
        self.score = self.dense = self.lex = 0.0


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


def passage_dense(question: str, hits: Sequence[Hit], embed: Embed | None,
                  similarity: Similarity | None = None) -> dict[int, float]:
    """Cosine of the question with each hit passage (by ``Hit.passage.id``, else its rank); {} when
    there is none to be had.

    The retriever already computed it for every passage in its dense candidates (``Hit.scores["dense"]``,
    inner product of normalised vectors): nothing is embedded. A hybrid hit that only BM25 found ranked
    below all of the dense candidates, so it gets the lowest dense score of the others (an upper
    bound). In BM25 mode, ``similarity`` (``Retriever.similarity``) reads the passages' stored vectors
    and embeds only the question; a library without vectors yet gives {}. Only a caller that passes
    ``embed`` and no ``similarity`` (a library object without a retriever) has the passages embedded."""
    key = {id(h): (h.passage.id if h.passage.id >= 0 else -h.rank) for h in hits}
    out = {key[id(h)]: float(h.scores["dense"]) for h in hits if h.scores and "dense" in h.scores}
    if out:
        low = min(out.values())
        return {key[id(h)]: out.get(key[id(h)], low) for h in hits}
    if not hits:
        return {}
    if similarity is not None:
        return similarity(question, [h.passage.id for h in hits if h.passage.id >= 0])
    if embed is None:
        return {}
    vecs = embed([question] + [h.passage.text for h in hits])
    return {key[id(h)]: float(np.dot(vecs[0], v)) for h, v in zip(hits, vecs[1:])}


def _pkey(h: Hit) -> int:
    return h.passage.id if h.passage.id >= 0 else -h.rank


def score_candidates(question: str, cands: list[_Cand], embed: Embed | None, idf: Callable[[str], float] | None = None,
                     dense: dict[int, float] | None = None, similarity: Similarity | None = None) -> None:
    """score = DENSE_WEIGHT * cosine(question, the sentence's passage) + LEXICAL_WEIGHT * IDF-weighted
    coverage of the question's terms by the sentence, minus penalties (very short sentences, sentences
    that are mostly citation strings). A question term that names the sentence's case or court ("under
    Katz", "the Second Circuit") is covered by where the sentence stands, as BM25's header field has it:
    opinions seldom repeat their own name."""
    q_terms = _terms(question)
    context: dict[str, set[str]] = {}
    for c in cands:
        c.terms = set(_terms(c.text))
        p = c.hit.passage
        if p.opinion_id not in context:
            context[p.opinion_id] = set(_terms(f"{p.case_name} {p.court}"))
    if idf is None:
        idf = local_idf([c.terms for c in cands])
    if dense is None:
        dense = passage_dense(question, list({id(c.hit): c.hit for c in cands}.values()), embed, similarity)
    # no vector similarity at all (a library whose vectors are still filling in): the words decide alone
    dense_w, lex_w = (DENSE_WEIGHT, LEXICAL_WEIGHT) if dense else (0.0, 1.0)
    before = _sentence_before(cands)
    for c in cands:
        c.dense = dense.get(_pkey(c.hit), 0.0)
        c.lex = term_coverage(q_terms, c.terms | context[c.hit.passage.opinion_id], idf)
        words = len(c.text.split())
        short = 0.5 if words < MIN_WORDS else 0.0
        cite_heavy = 0.3 * max(0.0, _citation_share(c.op, c.start, c.end) - 0.5) * 2
        c.score = c.alone = dense_w * max(0.0, c.dense) + lex_w * c.lex - short - cite_heavy
        # a sentence that refers back ("It began in the company of ...") is about what the sentence before it
        # names, and the answer quotes the two together (``compose.lead_span``): their words count for it.
        # ``alone`` keeps its own score, for whether the library answers at all.
        prev = before.get(id(c)) if compose.refers_back(c.op.text[c.group:c.end]) else None
        if prev is not None:
            both = term_coverage(q_terms, c.terms | prev.terms | context[c.hit.passage.opinion_id], idf)
            c.score += lex_w * (both - c.lex)


def _sentence_before(cands: list[_Cand]) -> dict[int, _Cand]:
    """id(candidate) -> the candidate sentence just before it in the same passage and paragraph."""
    out: dict[int, _Cand] = {}
    by_hit: dict[int, list[_Cand]] = {}
    for c in cands:
        by_hit.setdefault(id(c.hit), []).append(c)
    for group in by_hit.values():
        group.sort(key=lambda c: c.start)
        for a, b in zip(group, group[1:]):
            if b.group != a.group and "\n" not in b.op.text[a.end:b.start]:
                out[id(b)] = a
    return out


def select(cands: list[_Cand], max_sentences: int, floor: float) -> list[_Cand]:
    """Greedy: best first, skipping sentences already taken (overlapping passages) and sentences whose
    terms mostly repeat a chosen one, stopping below ``floor``. The answer's order is
    ``compose.order``'s."""
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
    return chosen


def _overlap(a: set[str], b: set[str]) -> float:
    return len(a & b) / max(1, min(len(a), len(b)))


def extractive(question: str, hits: Sequence[Hit], opinion: Callable[[str], Opinion], embed: Embed | None,
               settings: AnswerSettings, idf: LibraryIdf | None = None,
               case_names: Sequence[tuple[str, str]] = (), intent: Intent | None = None,
               similarity: Similarity | None = None, floor_score: float | None = None,
               top_score: float | None = None) -> Answer:
    """The extractive answer from ``hits`` (no verification yet: see ``verify.verify``). ``idf``: the
    library's term weights (``library_idf``; without it, IDF over the candidate sentences and no
    term checks); ``case_names``: (opinion id, case name) of the library's opinions
    (``library_case_names``), for the named-case checks; ``intent``: what the question asks for
    (``Retriever.intent``; read from the question and ``case_names`` when not given); ``floor_score``:
    the library's own score floor (``abstain.retrieval_floor``; None: no such check), ``top_score``: the
    question's best cosine with any passage (``abstain.library_best``; None: the best of ``hits``)."""
    names = [n for _, n in case_names]
    intent = intent if intent is not None else analyse(question, case_names)
    named = set(intent.opinions) | named_opinions(question, case_names)
    if any(h.passage.opinion_id in named for h in hits):  # the question names an opinion we retrieved
        cands = candidates([h for h in hits if h.passage.opinion_id in named], opinion)
    else:
        cands = candidates(hits, opinion)
    cands = compose.focus(cands, intent)
    if not cands:
        return abstain(question, hits, "extractive", "No passage matched the question.")
    signals: list[Signal] = []
    if idf is not None:
        unknown = unknown_cases(question, hits, names) or unknown_names(
            question, idf, names, [h.passage.author for h in hits if h.passage.author])
        if unknown:
            signals.append(Signal("unknown_case" if " v. " in unknown[0] else "unknown_name",
                                  f"The library holds no opinion named {unknown[0]} and no retrieved passage names it "
                                  "(or the library never uses the name); the closest passages are listed for reference."))
    score_candidates(question, cands, embed, idf, similarity=similarity)
    best_c = max(cands, key=lambda c: c.alone)
    best = best_c.alone  # before the role terms: whether the library answers at all is not a matter of roles
    home_id = compose.home(cands, intent, score=lambda c: c.alone)  # each sentence on its own words, as ``best``
    if settings.compose_by_role:
        compose.adjust(cands, intent, home_id)
    else:  # for comparison: no role terms, best first, no labels
        intent = Intent()
    top = top_score if top_score is not None else best_dense(hits)
    signals += _score_signals(question, hits, best_c, best, idf, named, floor_score, top, settings)
    floor = max(settings.abstain_threshold, max(c.score for c in cands) - SELECT_MARGIN)
    kind = figure_asked(question)
    if kind:  # "how long ...?": only sentences that state a figure of that kind answer it
        groups = {(c.op.id, c.group) for c in cands
                  if c.score >= floor and states_figure(without_citations(c.op, c.start, c.end), kind)}
        if groups:
            cands = [c for c in cands if (c.op.id, c.group) in groups]
        else:
            signals.append(Signal("figure", f"The question asks for a figure ({FIGURE_NAMES[kind]}) and none of the "
                                            "closest passages states one; they are listed for reference."))
    stop = decisive(signals)
    if stop is not None:
        return abstain(question, hits, "extractive", stop.message, [s.name for s in signals])
    chosen = compose.order(select(cands, settings.max_sentences, floor), intent, home_id)
    # (a library stored before sentence roles existed has none to judge by)
    unfit = compose.unfit(chosen, intent) if settings.compose_by_role and all(c.role for c in chosen) else ""
    if unfit:
        signals.append(Signal("unfit_role", unfit))
    stop = decisive(signals)
    if stop is not None or not chosen:
        return abstain(question, hits, "extractive", stop.message if stop else "No passage matched the question.",
                       [s.name for s in signals])
    # the lead is read first and alone: one that refers back ("This is conduct that ...") is quoted with the
    # sentence before it, and a chosen sentence that refers back to the lead is quoted with it, under one citation
    span = compose.lead_span(chosen, lambda a, b: opinion_sentences(chosen[0].op, a, b)) \
        if chosen and settings.compose_by_role else None
    if span is not None:
        chosen = chosen[:1] + [c for c in chosen[1:] if not (c.op.id == chosen[0].op.id and span[0] <= c.start < span[1])]
    sentences, cits = [], []
    for n, c in enumerate(chosen, 1):
        start, end = span if n == 1 and span is not None else (c.start, c.end)
        cits.append(make_citation(n, c.hit.passage, c.op, start, end))
        sentences.append(AnswerSentence(c.op.text[start:end], (n,), True, 1.0,
                                        label=compose.label(c) if settings.compose_by_role else ""))
    return Answer(question=question, sentences=tuple(sentences), citations=tuple(cits), hits=tuple(hits),
                  abstained=False, support=1.0, answerer="extractive", verified=True, note=weak_note(signals),
                  signals=tuple(s.name for s in signals))


def _score_signals(question: str, hits: Sequence[Hit], best_c: _Cand, best: float, idf: LibraryIdf | None,
                   named: set[str], floor_score: float | None, top: float | None,
                   settings: AnswerSettings) -> list[Signal]:
    """The signals read off the best sentence and the scores (``abstain.SIGNALS``)."""
    out = []
    where = best_c.op.meta.case_name or best_c.op.id
    if best < settings.abstain_threshold:
        out.append(Signal("low_score", f"The closest passages score {best:.2f}, below the abstention threshold "
                                       f"{settings.abstain_threshold:.2f}; they are listed for reference."))
    # a question that names a case the library holds is about that case, whatever its words score ("What
    # is the test for a search under Katz?": opinions seldom use their own name, and dense scores miss it)
    if floor_score is not None and top is not None and top < floor_score and not named:
        out.append(Signal("low_retrieval", f"The best passage matches the question at {top:.2f}, below what "
                                           f"{1 - FLOOR_QUANTILE:.0%} of the library's own passages reach in another "
                                           f"opinion ({floor_score:.2f})."))
    if idf is not None:
        names = absent_names(question, best_c.op, idf)
        if names:
            out.append(Signal("absent_name", f"The closest passages, from {where}, never mention "
                                             f"{', '.join(names[:3])}, whom or which the question names; they are "
                                             "listed for reference."))
        missing = missing_topics(question, best_c.op, idf)
        if missing:
            out.append(Signal("absent_topic", f"The quoted opinion ({where}) never uses "
                                              f"{', '.join(repr(t) for t in missing[:3])}, which the question asks "
                                              "about and the library discusses elsewhere."))
        unretrieved = unretrieved_topics(question, hits, idf)
        if unretrieved:
            out.append(Signal("unretrieved_topic", f"No retrieved passage uses {', '.join(repr(t) for t in unretrieved[:3])}, "
                                                   "which the question asks about."))
    if named and best_c.op.id not in named:
        out.append(Signal("other_opinion", f"The question names a case the library holds, and the closest passages "
                                           f"are from another opinion ({where})."))
    if best < settings.weak_threshold:
        out.append(Signal("weak_score", f"The best matching sentence scores {best:.2f} (below "
                                        f"{settings.weak_threshold:.2f}); the quotes may only touch on the question."))
    return out
