"""Abstention and the weak-support note: the signals that make the extractive answerer say the library
holds no answer instead of quoting the closest sentence, or quote it with a note saying how little it
supports the answer. Each signal has a reason in law or in the text's structure (a case or a person the
question names and the answer's opinion never mentions; a figure asked for and none stated; a score low
against the library's own distribution); none is a word list.

Every signal that fires is recorded on the ``Answer`` (``Answer.signals``); those in ``ABSTAIN_ON`` make
it abstain, the others go into its note. Measured on both development sets and on questions about
opinions the library does not hold: eval/levers_abstain.py, eval/reports/levers_abstain.md.

The signals read the library's term statistics (``index.lexical.LibraryIdf``: BM25 IDF and which
opinions use a term), built once per library by ``library_idf``, and its score distribution
(``retrieval_floor``), computed once per set of vectors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from ..cache import cached
from ..index.lexical import LibraryIdf, tokenize as _terms
from ..types import CANNOT_ANSWER, Answer, AnswerSentence, Hit, Opinion

SALIENT_IDF = 4.5  # a term in under ~1% of the library's passages (4.6 = 1% of the demo's 4,814)
TOPIC_BURST = 3.0  # ... used in at least this many passages per opinion that uses it
# question words carry no topic (BM25's stopword list keeps them; in opinions they are rare)
_QUESTION_WORDS = frozenset("how whi what when where which who whom whose whether ever much mani".split())


def topic_terms(idf: LibraryIdf, terms: Sequence[str]) -> list[str]:
    """The terms (of ``terms``) the library treats as a topic: rare (IDF >= ``SALIENT_IDF``) and, where
    used, used again and again (at least ``TOPIC_BURST`` passages per opinion that uses them, on
    average): "miranda", "excess(ive force)", a party's name. Words the library never uses, or uses
    once here and there ("cops", "reptile", "colleague"), are not: they are often the asker's own
    paraphrase."""
    out = []
    for t in dict.fromkeys(terms):
        if t in _QUESTION_WORDS:
            continue
        c = idf.df.get(t, 0)
        if c and idf(t) >= SALIENT_IDF and c >= TOPIC_BURST * len(idf.opinions(t)):
            out.append(t)
    return out


def library_idf(lib) -> LibraryIdf:
    """The library's ``LibraryIdf``, kept in its ``LibraryCache`` for the BM25 index it was built from."""
    backend = getattr(_try_retriever(lib), "backend", None)
    if backend is not None and backend.kind != "local":  # e.g. Milvus: statistics looked up there, not loaded
        return LibraryIdf.of_stats(backend.term_stats())
    lex = _lexical(lib)

    def make() -> LibraryIdf:
        if lex is not None and len(lex):
            return LibraryIdf.of_index(lex, {pid: oid for pid, oid, _ in lib.store.passage_owners()})
        return LibraryIdf.of_passages(lib.store.passages() if hasattr(lib, "store") else [])

    return cached(lib, "answer.idf", make, key=id(lex) if lex is not None else "store")


def _lexical(lib):
    """The library's current BM25 index (None before there is one, or for a library without a retriever)."""
    retr = _try_retriever(lib)
    if retr is None or not hasattr(retr, "lexical"):
        return None
    try:
        return retr.lexical()
    except Exception:  # noqa: BLE001 - no index yet: count the stored passages instead
        return None


def _try_retriever(lib):
    try:
        return lib.retriever
    except Exception:  # noqa: BLE001 - no retriever yet: fall back to loading the model ourselves
        return None


# --- abstention signals ---------------------------------------------------------------------------
_CASE_NAME = re.compile(
    r"((?:[A-Z][\w'’.&-]*)(?:\s+(?:of|the|and|for|de|[A-Z][\w'’.&-]*))*)\s+v\.?\s+"
    r"((?:[A-Z][\w'’.&-]*)(?:\s+(?:of|the|and|for|de|[A-Z][\w'’.&-]*))*)")
_GENERIC_PARTY = {"united", "states", "state", "people", "commonwealth", "city", "county", "town", "new", "york",
                  "department", "dept", "board", "of", "the", "and", "for", "de", "in", "what", "did", "does", "how",
                  "why", "when", "which", "who", "is", "was", "were", "court", "supreme", "circuit"}


def named_cases(question: str) -> list[tuple[str, str]]:
    """("Town of Castle Rock", "Gonzales") for each "X v. Y" case name in the question."""
    return [(a.strip(), b.strip()) for a, b in _CASE_NAME.findall(question)]


def _party_words(party: str) -> list[str]:
    return [w.lower().strip(".,'’") for w in party.split() if w.lower().strip(".,'’") not in _GENERIC_PARTY
            and len(w) > 2]


def named_opinions(question: str, case_names: Sequence[tuple[str, str]]) -> set[str]:
    """Ids of the library's opinions that the question names ("... in Pena v. DePrisco ..."): every
    distinctive word of the first party, and of the second when it has any, is in the case name."""
    out: set[str] = set()
    for a, b in named_cases(question):
        wa, wb = _party_words(a), _party_words(b)
        if not wa and not wb:
            continue
        for oid, name in case_names:
            low = name.lower()
            if all(re.search(rf"\b{re.escape(w)}\b", low) for w in wa + wb):
                out.add(oid)
    return out


_NAME_RUN = re.compile(r"(?<![.?!]\s)(?<!^)\b([A-Z][\w'’.-]*(?:\s+(?:of\s+|v\.\s+)?[A-Z][\w'’.-]*)+)")


def unknown_names(question: str, idf: LibraryIdf, case_names: Sequence[str] = (), known: Sequence[str] = ()) -> list[str]:
    """Proper names in the question (a run of two or more capitalised words past its first word:
    "Dram Shop Act", "Castle Rock") with a word the library never uses, in its passages, in the
    names of its opinions (``case_names``: an opinion's name may come from a sidecar or an edit and
    never appear in its text) or in ``known`` (the Justices and judges who wrote the retrieved passages:
    "Chief Justice Burger" heads a dissent whose text never names him): the library cannot hold what the
    question is about."""
    named = {t for n in (*case_names, *known) for t in _terms(n)}
    out = []
    for m in _NAME_RUN.finditer(question):
        name = m.group(1)
        if any(not idf.df.get(t, 0) and t not in named for t in _terms(name) if t not in _QUESTION_WORDS):
            out.append(name)
    return out


def unknown_cases(question: str, hits: Sequence[Hit], case_names: Sequence[str]) -> list[str]:
    """Case names in the question ("Graham v. Connor") that no opinion of the library is called and no
    retrieved passage names: every distinctive word of both parties in one case name, or in one passage
    (the way an opinion that discusses a case names it). A party's word found somewhere else does not make
    the case known ("Graham" in a footnote, "Connor" in "O'Connor")."""
    out = []
    texts = [n.lower() for n in case_names] + [h.passage.text.lower() for h in hits]
    for a, b in named_cases(question):
        words = _party_words(a) + _party_words(b)
        if not words:
            continue
        if not any(all(re.search(rf"(?<![\w'’]){re.escape(w)}\b", t) for w in words) for t in texts):
            out.append(f"{a} v. {b}")
    return out


def missing_topics(question: str, op: Opinion, idf: LibraryIdf) -> list[str]:
    """The question's topic terms (``topic_terms``) that the opinion to be quoted never uses
    (in its passages or its case name): the question is about something the library discusses
    elsewhere, not in this opinion."""
    name = set(_terms(op.meta.case_name))
    return [t for t in topic_terms(idf, _terms(question)) if t not in name and op.id not in idf.opinions(t)]


def opinion_names(op: Opinion) -> set[str]:
    """The terms of an opinion's own names: its case name and the authors of its parts (opinions seldom
    repeat their own name, and a separate opinion is headed by its author's, not quoted in its text)."""
    return {t for n in (op.meta.case_name, *(p.author or "" for p in op.parts)) for t in _terms(n)}


_CAPITALISED = re.compile(r"(?<![.?!]\s)(?<!^)\b([A-Z][\w'’-]*)")


def absent_names(question: str, op: Opinion, idf: LibraryIdf) -> list[str]:
    """Names in the question - its capitalised words past the first, the way English marks a party, a
    person, a place, a title or an act ("Grey", "the Herrera family", "Graham") - that the library uses
    but the opinion to be quoted never does (its passages, its case name, its authors): the answer
    would be about someone else. Words that say what kind of answer is wanted ("Court", "Justice",
    "Supreme") are not names."""
    from ..retrieve.question import _FORM_WORDS as FORM_WORDS  # "court", "hold", "justice", ...: the form, not the subject

    skip = opinion_names(op) | {t for w in FORM_WORDS for t in _terms(w)}
    out = []
    for word in dict.fromkeys(_CAPITALISED.findall(question)):
        terms = [t for t in _terms(word) if t not in skip and t not in _QUESTION_WORDS]
        if any(idf.df.get(t, 0) and op.id not in idf.opinions(t) for t in terms):
            out.append(word.strip("'’"))
    return out


def unretrieved_topics(question: str, hits: Sequence[Hit], idf: LibraryIdf) -> list[str]:
    """The question's topic terms (``topic_terms``) that none of the retrieved passages uses (nor their
    case names): the library discusses them, but nowhere together with the rest of the question."""
    seen = {t for h in hits for t in _terms(f"{h.passage.text} {h.passage.case_name}")}
    return [t for t in topic_terms(idf, _terms(question)) if t not in seen]


# --- the library's own score distribution ------------------------------------------------------------
CALIBRATION_SAMPLE = 256  # passages, spread evenly over the library's ids
FLOOR_QUANTILE = 0.05  # the share of those passages whose best match in another opinion scores below the floor


def score_floor(vectors, owner: dict[int, str], quantile: float = FLOOR_QUANTILE,
                sample: int = CALIBRATION_SAMPLE) -> float | None:
    """The ``quantile`` of what a text of the library scores against the best passage of *another*
    opinion: each sampled passage's stored vector searched against the library, its own opinion left
    out - what the library offers a question whose own opinion it does not hold. A question whose best
    passage scores below this matches nothing in the library as closely as almost any of the library's
    own passages matches some other opinion. None when there are not two opinions with vectors."""
    ids = vectors.ids()
    if len(ids) < 2:
        return None
    pick = ids[np.unique(np.linspace(0, len(ids) - 1, min(sample, len(ids))).astype(int))]
    best = []
    for pid, vec in zip(pick.tolist(), vectors.vectors_of(pick)):
        own = owner.get(pid)
        score = next((sc for other, sc in vectors.search(vec, 64) if owner.get(other, own) != own), None)
        if score is not None:
            best.append(score)
    return float(np.quantile(best, quantile)) if best else None


def retrieval_floor(lib) -> float | None:
    """``score_floor`` of the library's current vectors, kept in its ``LibraryCache`` for them (None
    without local vectors: a remote backend's are not read here)."""
    retr = _try_retriever(lib)
    if retr is None or getattr(retr, "backend", None) is not None or not hasattr(retr, "snapshot"):
        return None
    try:
        vectors = retr.snapshot().vectors
    except Exception:  # noqa: BLE001 - no index yet: no floor
        return None
    if vectors is None or len(vectors) < 2:
        return None

    def make() -> float | None:
        owner = {pid: oid for pid, oid, _ in lib.store.passage_owners()}
        return score_floor(vectors, owner)

    return cached(lib, "answer.retrieval_floor", make, key=(id(vectors), len(vectors), FLOOR_QUANTILE))


def best_dense(hits: Sequence[Hit]) -> float | None:
    """The best cosine of the question with a retrieved passage, as the dense search computed it (None
    when no dense search ran: BM25 mode, or a library without vectors)."""
    scores = [h.scores["dense"] for h in hits if h.scores and "dense" in h.scores]
    return max(scores) if scores else None


def library_best(lib, question: str) -> float | None:
    """The best cosine of ``question`` with any passage of the library (the hits may hold only the
    opinion the question names, routed first): one more search of the stored vectors with the question's
    vector, which the retriever keeps from the search just made. None without local vectors."""
    retr = _try_retriever(lib)
    if retr is None or getattr(retr, "backend", None) is not None or not hasattr(retr, "snapshot"):
        return None
    try:
        vectors = retr.snapshot().vectors
        if vectors is None or not len(vectors):
            return None
        qv = retr._query_vector(question) if hasattr(retr, "_query_vector") else retr.embedder.encode_queries([question])[0]
    except Exception:  # noqa: BLE001 - no vectors or no model: no such check
        return None
    found = vectors.search(qv, 1)
    return found[0][1] if found else None


# --- signals: what the answer is told, and which make it abstain ----------------------------------------
@dataclass(frozen=True)
class Signal:
    name: str  # one of SIGNALS
    message: str  # a sentence for the reader


SIGNALS = ("unknown_case", "unknown_name", "absent_name", "figure", "low_score", "low_retrieval",
           "absent_topic", "unretrieved_topic", "other_opinion", "unfit_role", "weak_score")
# the signals that abstain; the others only go into the weak-support note (eval/reports/levers_abstain.md)
ABSTAIN_ON = frozenset({"unknown_case", "unknown_name", "absent_name", "figure", "low_score", "low_retrieval"})


def decisive(signals: Sequence[Signal]) -> Signal | None:
    """The first signal (in ``SIGNALS`` order) that makes the answer abstain, if any."""
    return next((s for s in sorted(signals, key=lambda s: SIGNALS.index(s.name)) if s.name in ABSTAIN_ON), None)


def weak_note(signals: Sequence[Signal]) -> str:
    """The weak-support note from the signals that did not abstain ("" when there are none)."""
    rest = [s.message for s in sorted(signals, key=lambda s: SIGNALS.index(s.name)) if s.name not in ABSTAIN_ON]
    return f"Support is weak: {' '.join(rest)}" if rest else ""


# --- answer type: a question that asks for a figure ---------------------------------------------------
# "How long ...", "How much ...", "What is the statute of limitations ...", "What was X's blood alcohol
# concentration?": the answer is a figure of a kind - a duration, a sum of money, a measurement, a count
# or a date. A quote that states none of that kind is not an answer, however close its words (question
# classification's NUM classes, Li & Roth 2002, narrowed to unambiguous forms: "level", "sentence" and
# "period" alone are left out - "level of scrutiny").
_NUMBER_WORDS = (r"two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|"
                 r"seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|"
                 r"thousand|million|billion|dozen")
_AMOUNT = rf"(?:\d[\d,]*(?:\.\d+)?|{_NUMBER_WORDS}|one|several|a|an)"  # "twelve", "a", "3-", "two or three"
_AMOUNTS = rf"\b{_AMOUNT}(?:[\s-]+(?:or\s+|to\s+)?{_AMOUNT})*"
_DURATION = rf"{_AMOUNTS}[\s-]+(?:years?|months?|weeks?|days?|hours?|minutes?)\b"
_MONEY = rf"[$£€]\s?\d|{_AMOUNTS}\s+(?:dollars|cents)\b"
FIGURE_KINDS = {
    "duration": re.compile(_DURATION, re.I),
    "money": re.compile(_MONEY, re.I),
    "sentence": re.compile(rf"{_DURATION}|{_MONEY}|\b(?:death|life\s+imprisonment|probation)\b", re.I),
    "measure": re.compile(r"(?<![\w.])(?:\d*\.\d+|\d+(?:\.\d+)?\s*(?:%|percent|per\s?cent|mph|miles|feet|"
                          r"pounds|grams|degrees|years\s+old)|\d+-years?-old)", re.I),
    "date": re.compile(r"\b(?:1[6-9]\d\d|20\d\d)\b|\b(?:January|February|March|April|May|June|July|August|"
                       r"September|October|November|December)\s+\d", re.I),
    "count": re.compile(rf"(?<![\w.(/-])\d[\d,]*(?![\w)])|\b(?:{_NUMBER_WORDS})\b", re.I),
}
_QUESTION_KINDS = (
    ("sentence", re.compile(r"^\W*what\s+sentence\b|\bhow\s+(?:was|were)\s+[\w\s'’.-]{1,40}?"
                            r"\bsentenced\b", re.I)),  # a term, a fine, or death: what a court imposes
    ("duration", re.compile(r"^\W*how\s+long\b|^\W*how\s+many\s+(?:years|months|weeks|days|hours|minutes)\b|"
                            r"\b(?:statute\s+of\s+limitations|limitations\s+period|deadline|time\s+limit|"
                            r"duration)\b", re.I)),
    ("money", re.compile(r"^\W*how\s+much\b.*\b(?:damages|money|pay|paid|cost|award|fine|fees?|bail|worth|"
                         r"value[ds]?)\b|"
                         r"\bwhat\s+(?:is|was|were|are)\b.*\b(?:amount|sum)\s+of\b", re.I)),
    ("measure", re.compile(r"^\W*how\s+(?:old|fast|far)\b|\bwhat\s+(?:is|was|were|are)\s+(?:[\w'’.-]+\s+){0,5}?"
                           r"(?:concentration|percentage|speed|age|rate)\b", re.I)),
    ("date", re.compile(r"^\W*(?:in\s+)?what\s+year\b|^\W*on\s+what\s+date\b", re.I)),
    ("count", re.compile(r"^\W*how\s+(?:many|much|often)\b|\bwhat\s+(?:is|was)\s+the\s+number\s+of\b", re.I)),
)
FIGURE_NAMES = {"duration": "a length of time", "money": "a sum of money", "measure": "a measurement",
                "date": "a date or year", "count": "a number", "sentence": "a sentence imposed"}
# numerals that name a thing rather than state a figure: "§ 1983", "Rule 12", "No. 03-7766", "at 111 n.18"
_LABEL_BEFORE = re.compile(r"(?:§+|¶|\b(?:sections?|rules?|no|nos|amend(?:ment)?|art(?:icle)?|title|u\.s\.c|"
                           r"c\.f\.r|n|nn|fn|note|page|pp?|at|id|part|chapter|ch|cl|tit)\.?)\s*$", re.I)


def figure_asked(question: str) -> str | None:
    """The kind of figure the question asks for ("duration", "money", "measure", "date", "count"), if any."""
    for kind, pattern in _QUESTION_KINDS:
        if pattern.search(question):
            return kind
    return None


def states_figure(text: str, kind: str) -> bool:
    """Does ``text`` (citations already blanked out) state a figure of ``kind``? Numerals that label
    something ("§ 1983", "Rule 12", "n.18") do not count."""
    for m in FIGURE_KINDS[kind].finditer(text):
        if not _LABEL_BEFORE.search(text[max(0, m.start() - 16):m.start()]):
            return True
    return False


def without_citations(op: Opinion, start: int, end: int) -> str:
    """``op.text[start:end]`` with the citations eyecite found in it blanked out ("432 F.3d 98")."""
    chars = list(op.text[start:end])
    for c in op.cites:
        for i in range(max(start, c.start), min(end, c.end)):
            chars[i - start] = " "
    return "".join(chars)


def abstain(question: str, hits: Sequence[Hit], answerer: str, note: str, signals: Sequence[str] = ()) -> Answer:
    return Answer(question=question, sentences=(AnswerSentence(CANNOT_ANSWER, (), True, 0.0),), citations=(),
                  hits=tuple(hits), abstained=True, support=0.0, answerer=answerer, verified=True, note=note,
                  signals=tuple(signals))


def library_case_names(lib) -> tuple[tuple[str, str], ...]:
    """(opinion id, case name) of the library's opinions, kept in its ``LibraryCache`` (cleared by ingest,
    sync, remove and edit) for the BM25 index they were read with (an ingest by another process, or a
    library still being built, adds opinions)."""
    def make() -> tuple[tuple[str, str], ...]:
        try:
            return tuple((oid, meta.case_name) for oid, meta, _ in lib.store.opinions() if meta.case_name)
        except Exception:  # noqa: BLE001 - a store without opinions() (tests): no names
            return ()

    lex = _lexical(lib)
    if lex is None:
        return make()  # no index to tell a change by: read them afresh
    return cached(lib, "answer.case_names", make, key=id(lex))
