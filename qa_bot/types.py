"""Typed, frozen records that flow between the stages.

load -> ``Document`` (format-neutral blocks) -> structure -> ``Opinion`` -> chunk -> ``Passage``
-> store/index -> retrieve -> ``Hit`` -> answer -> ``Answer`` (sentences + ``Citation``s).

All character offsets are into ``Opinion.text`` (the clean text) unless a field says otherwise.
"""

from __future__ import annotations

import bisect
import functools
from dataclasses import dataclass, field

# Opinion parts, in the vocabulary every stage uses.
PARTS = ("majority", "plurality", "per curiam", "concurrence", "concurrence in part", "dissent", "other")


def is_separate(part: str, author: str | None) -> bool:
    """A concurrence or dissent, or an "other" part with an author (a separate opinion headed only by its
    author's name, or a memorandum): not the court's opinion."""
    return part in ("concurrence", "concurrence in part", "dissent") or (part == "other" and bool(author))


@dataclass(frozen=True)
class Meta:
    """What a loader knows about an opinion besides its text (all optional)."""

    case_name: str = ""
    citation: str = ""  # primary reporter citation, "432 F.3d 98"
    court: str = ""  # full name, "United States Court of Appeals for the Second Circuit"
    court_id: str = ""  # CourtListener / courts-db id, "ca2", "scotus"
    year: int | None = None
    date: str = ""  # ISO date when known
    first_page: int | None = None
    source_url: str = ""
    docket: str = ""
    parallel_citations: tuple[str, ...] = ()
    external_id: str = ""  # e.g. CourtListener cluster id


@dataclass(frozen=True)
class Block:
    """One paragraph-like unit as a loader found it, already free of markup and page markers.

    ``page_breaks``: (offset into ``text``, page) where that page begins inside this block.
    ``marks``: (offset into ``text``, footnote label) where a footnote marker stood (marker removed).
    """

    text: str
    kind: str = "body"  # body | heading | footnote
    page_breaks: tuple[tuple[int, int], ...] = ()
    marks: tuple[tuple[int, str], ...] = ()
    footnote: str | None = None  # label of the footnote this block belongs to (kind == "footnote")
    part: str | None = None  # one of PARTS when the format says so (Harvard XML <opinion type>)
    author: str | None = None


@dataclass(frozen=True)
class Document:
    """A loader's output: one opinion, format-neutral, not yet structured."""

    blocks: tuple[Block, ...]
    meta: Meta
    source: str  # path (and row/entry inside it, "file.csv#12")
    format: str  # loader name
    sha256: str  # of the raw bytes this opinion came from
    has_pages: bool = False  # the source carried page markers (richer than one without)
    notes: tuple[str, ...] = ()  # what the loader wants the user told (e.g. metadata it could not find)


@dataclass(frozen=True)
class Paragraph:
    start: int
    end: int
    kind: str  # body | heading | footnote
    section: str = ""  # heading path, "DISCUSSION > II > A"
    part: str = "majority"
    author: str | None = None
    footnote: str | None = None


@dataclass(frozen=True)
class Footnote:
    label: str  # "5", "*"
    start: int  # footnote text span in Opinion.text
    end: int
    marker: int | None  # offset of its marker in the body, None when no marker was found
    page: int | None  # page of the marker: the footnote's pin is "<page> n.<label>"


@dataclass(frozen=True)
class Part:
    start: int
    end: int
    kind: str  # one of PARTS
    author: str | None = None


@dataclass(frozen=True)
class CitedAuthority:
    """A citation found inside an opinion's text by eyecite."""

    start: int
    end: int
    text: str
    kind: str  # eyecite class name: FullCaseCitation, ShortCaseCitation, IdCitation, FullLawCitation, ...
    normalized: str = ""  # "985 F.2d 94" for case citations


@dataclass(frozen=True)
class SentenceRole:
    """What one sentence of an opinion does (``qa_bot.ingest.roles``): holding, rule, reasoning, facts,
    procedure, argument, issue, precedent, syllabus, caption or other. Offsets into ``Opinion.text``."""

    start: int
    end: int
    role: str


@dataclass(frozen=True)
class Opinion:
    id: str
    meta: Meta
    text: str
    pages: tuple[tuple[int, int], ...] = ()  # (offset, page) sorted by offset; body only
    paragraphs: tuple[Paragraph, ...] = ()
    footnotes: tuple[Footnote, ...] = ()
    parts: tuple[Part, ...] = ()
    cites: tuple[CitedAuthority, ...] = ()
    source: str = ""
    format: str = ""
    sha256: str = ""
    roles: tuple[SentenceRole, ...] = ()  # every sentence's role, sorted by start (empty before tagging)

    def role_at(self, offset: int) -> str | None:
        """The role of the sentence holding ``offset`` (None when untagged or between sentences)."""
        i = bisect.bisect_right(self.roles, offset, key=lambda r: r.start) - 1
        if i >= 0 and self.roles[i].start <= offset < self.roles[i].end:
            return self.roles[i].role
        return None

    def roles_between(self, start: int, end: int) -> list[str]:
        """The roles of the sentences that begin in ``[start, end)``, in order."""
        i = bisect.bisect_left(self.roles, start, key=lambda r: r.start)
        out = []
        while i < len(self.roles) and self.roles[i].start < end:
            out.append(self.roles[i].role)
            i += 1
        return out

    @functools.cached_property
    def _page_offsets(self) -> list[int]:
        return [o for o, _ in self.pages]

    @functools.cached_property
    def _footnote_order(self) -> tuple[list[int], list[Footnote]]:
        notes = sorted(self.footnotes, key=lambda f: f.start)
        return [f.start for f in notes], notes

    def page_at(self, offset: int) -> int | None:
        """Reporter page of the character at ``offset`` (footnote text takes its marker's page)."""
        fn = self.footnote_at(offset)
        if fn is not None:
            return fn.page
        if not self.pages:
            return None
        i = bisect.bisect_right(self._page_offsets, offset) - 1
        return self.pages[max(i, 0)][1]

    def footnote_at(self, offset: int) -> Footnote | None:
        """The footnote whose text holds ``offset`` (footnotes do not overlap)."""
        starts, notes = self._footnote_order
        i = bisect.bisect_right(starts, offset) - 1
        return notes[i] if i >= 0 and offset < notes[i].end else None


def format_pin(page_start: int | None, page_end: int | None = None, footnote: str | None = None) -> str:
    """"111"; "108-09" (Bluebook 3.2(a): keep the last two digits, drop other repeated ones);
    "105 n.5" for a footnote (the page of its marker); "" when the page is unknown."""
    if page_start is None:
        if page_end is None:
            return ""
        page_start = page_end
    if footnote:
        return f"{page_start} n.{footnote}"
    if page_end is None or page_end <= page_start:
        return str(page_start)
    a, b = str(page_start), str(page_end)
    if len(a) == len(b):
        i = 0
        while i < len(b) - 2 and a[i] == b[i]:
            i += 1
        b = b[i:]
    return f"{a}-{b}"


@dataclass(frozen=True)
class Passage:
    """A chunk of whole sentences inside one paragraph or footnote. ``id`` is the store's (-1 before)."""

    opinion_id: str
    ordinal: int
    text: str
    start: int
    end: int
    case_name: str = ""
    citation: str = ""
    court: str = ""
    court_id: str = ""
    year: int | None = None
    section: str = ""
    part: str = "majority"
    author: str | None = None
    page_start: int | None = None
    page_end: int | None = None
    footnote: str | None = None
    n_tokens: int = 0
    id: int = -1

    @property
    def pin(self) -> str:
        """"111", "108-09", "105 n.5", or "" when pages are unknown."""
        return format_pin(self.page_start, self.page_end, self.footnote)


@dataclass(frozen=True)
class Hit:
    passage: Passage
    score: float
    rank: int  # 1-based
    scores: dict[str, float] = field(default_factory=dict, hash=False, compare=False)  # per-mode details


@dataclass(frozen=True)
class Retrieval:
    """Which retrieval a search actually ran: the mode asked for, the mode used, and how far the vectors
    are (a library answers from BM25 as soon as it is parsed; its vectors fill in behind)."""

    requested: str  # bm25 | dense | hybrid
    used: str  # bm25 | dense | hybrid
    passages: int = 0  # passages in the BM25 index
    embedded: int = 0  # passages with vectors (searchable by meaning)
    synthetic: bool = False  # the vectors are a benchmark's (eval/synthetic_vectors.py), not the passages'

    @property
    def complete(self) -> bool:
        return self.embedded >= self.passages

    @property
    def percent(self) -> int:
        """Share of passages with vectors, rounded down (100 only when complete)."""
        return 100 if self.complete else int(100 * self.embedded / max(self.passages, 1))

    def label(self) -> str:
        """Short: "hybrid", "BM25 (hybrid asked; vectors 40% built)", "dense over 40% of passages"."""
        if self.used == "bm25":
            if self.requested == "bm25":
                return "BM25"
            return f"BM25 ({self.requested} asked; vectors {self.percent}% built)"
        if self.synthetic:
            return f"{self.used} over SYNTHETIC vectors"
        if self.complete:
            return self.used
        return f"{self.used} (vectors over {self.percent}% of passages)"

    def note(self) -> str:
        """A sentence for the reader when the search was not the one asked for, or ran on part of the
        library's vectors; "" otherwise."""
        built = f"{self.embedded:,} of {self.passages:,} passages"
        if self.synthetic and self.used != "bm25":
            return ("This library's vectors are SYNTHETIC (made for a benchmark, not from its passages): meaning "
                    "(vector) search results are meaningless; qa-bot sync --rebuild embeds real ones.")
        if self.requested == "bm25" or (self.used == self.requested and self.complete):
            return ""
        if self.used == "bm25":
            return (f"{self.requested.capitalize()} search was asked for, but no passage has its vectors yet "
                    f"(0 of {self.passages:,}): this comes from keyword (BM25) search alone.")
        if self.used == "hybrid":
            return (f"Vectors are {self.percent}% built ({built}): this comes from keyword (BM25) search over "
                    f"every passage and meaning (vector) search over the embedded {self.percent}%.")
        return (f"Vectors are {self.percent}% built ({built}): meaning (vector) search covered only those; "
                "the rest of the library was not searched.")


class Hits(list):
    """A search's hits, best first (a plain list), with ``retrieval``: what actually ran."""

    retrieval: Retrieval | None = None

    def __init__(self, hits=(), retrieval: Retrieval | None = None):
        super().__init__(hits)
        self.retrieval = retrieval


@dataclass(frozen=True)
class Citation:
    """What an answer sentence's ``[n]`` points at: a span inside a retrieved passage."""

    number: int
    passage_id: int
    opinion_id: str
    start: int  # supporting span, offsets into the opinion's clean text
    end: int
    quote: str  # Opinion.text[start:end]
    pin: str  # "111", "105 n.5", "108-09"
    full: str  # "Pena v. DePrisco, 432 F.3d 98, 111 (2d Cir. 2005)"
    short: str  # "Pena, 432 F.3d at 111"


@dataclass(frozen=True)
class AnswerSentence:
    text: str
    citations: tuple[int, ...] = ()  # Citation.number values
    supported: bool = True
    support: float = 1.0  # 0..1 from the verifier
    flag: str = ""  # why a sentence is unsupported / a marker points nowhere
    label: str = ""  # what the quoted sentence is: "Holding", "Reasoning", "Argument", "Dissent (Douglas, J.)"

    @property
    def display(self) -> str:
        """The sentence as shown: its label, then its words and ``[n]`` markers."""
        body = self.text + "".join(f" [{n}]" for n in self.citations)
        return f"{self.label}: {body}" if self.label else body


# paper-qa style sentinel: the exact words an abstaining answer starts with.
CANNOT_ANSWER = "The library holds no answer to this question."


@dataclass(frozen=True)
class Answer:
    question: str
    sentences: tuple[AnswerSentence, ...]
    citations: tuple[Citation, ...]
    hits: tuple[Hit, ...] = ()
    abstained: bool = False
    support: float = 0.0  # overall support score 0..1
    answerer: str = "extractive"
    verified: bool = True  # every remaining sentence passed verification
    note: str = ""  # e.g. "Support is weak: ..."
    retrieval: Retrieval | None = None  # the search behind it (mode used, how far the vectors are)
    signals: tuple[str, ...] = ()  # the abstention / weak-support signals that fired (answer.abstain.SIGNALS)

    @property
    def text(self) -> str:
        return " ".join(s.display for s in self.sentences)
