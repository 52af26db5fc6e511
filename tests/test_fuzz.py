"""Fuzzing (issue 10, Build 3): generated inputs for every loader, the structure parser, the chunker, the
evaluation-set reader and the question path. Only the project's documented errors may escape -
``InputError`` naming the file (a loader), ``EvalSetError`` naming the line (a set), ``BadQuestion``
(a question) - and no input may take more than 30 CPU-seconds (``cpu_budget``: the process's own CPU
time, not wall-clock, so a busy machine does not fail it).

Inputs: real files from ``tests/data`` truncated, bit-flipped, with bytes inserted or cut; generated
markup, JSON, CSV rows and PDFs; wrong encodings, binary junk, very long unbroken runs (a short pattern
repeated up to 200 KB), deep nesting; odd file names (bytes that are not UTF-8, control characters);
questions with control, zero-width and bidi characters, lone surrogates, 100k characters and
search-engine syntax. CI runs ``EXAMPLES`` inputs per target (derandomized: the same inputs every run);
``QA_BOT_LONG=1`` runs 500 per target and prints the counts (README "Reliability").
"""

from __future__ import annotations

import json
import os
import signal
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import DATA, LONG
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qa_bot.errors import BadQuestion, InputError
from qa_bot.evaluation.evalset import EvalSetError, parse_set
from qa_bot.ingest import chunk as chunking
from qa_bot.ingest import loaders, structure
from qa_bot.settings import Settings
from qa_bot.types import Block, Document, Meta

EXAMPLES = 500 if LONG else 15
CPU_SECONDS = 30
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True, print_blob=True,
                suppress_health_check=list(HealthCheck))
CHUNK = Settings.preset().chunk
STATS: dict[str, dict] = {}


class CpuBudgetExceeded(Exception):
    pass


@contextmanager
def cpu_budget(target: str, seconds: float = CPU_SECONDS):
    """Fail an input that takes over ``seconds`` of CPU (interrupts Python code at that point; C code
    is caught when it returns). Records counts per target."""
    def on_prof(signum, frame):
        raise CpuBudgetExceeded(f"{target}: one input took over {seconds} CPU-seconds")

    STATS.setdefault(target, {"inputs": 0, "max_cpu_s": 0.0})
    old = signal.signal(signal.SIGPROF, on_prof)
    signal.setitimer(signal.ITIMER_PROF, seconds)
    t = time.process_time()
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, old)
        s = STATS[target]
        s["inputs"] += 1
        s["max_cpu_s"] = max(s["max_cpu_s"], round(time.process_time() - t, 2))


@pytest.fixture(scope="module", autouse=True)
def report_counts():
    yield
    for target, s in sorted(STATS.items()):
        print(f"\nfuzz {target}: {s['inputs']} inputs, {s.get('rejected', 0)} rejected with a message, "
              f"max {s['max_cpu_s']} CPU-s per input")


# -- inputs ---------------------------------------------------------------------------------------
def _mutate(data: bytes):
    """A real file truncated, bit-flipped, with junk inserted or a range cut, a few times over."""
    ops = st.lists(st.tuples(st.sampled_from(["cut", "flip", "insert", "drop"]), st.integers(0, 1 << 30),
                             st.binary(max_size=40)), max_size=4)

    def apply(steps) -> bytes:
        out = bytearray(data)
        for op, at, junk in steps:
            i = at % (len(out) + 1)
            if op == "cut":
                del out[i:]
            elif op == "flip" and out:
                out[i % len(out)] ^= 1 << (at % 8)
            elif op == "insert":
                out[i:i] = junk
            elif op == "drop":
                del out[i:i + len(junk) * 50]
        return bytes(out)

    return ops.map(apply)


RUNS = st.tuples(st.text(min_size=1, max_size=6), st.integers(1, 40_000)).map(
    lambda t: ("The court held. " + t[0] * min(t[1], 200_000 // len(t[0]))).encode("utf-8", "surrogatepass"))
JUNK = st.one_of(st.binary(max_size=3000), st.text(max_size=3000).map(lambda s: s.encode("utf-8", "surrogatepass")),
                 st.text(max_size=2000).map(lambda s: s.encode("utf-16")), RUNS)


def _real(*paths: str) -> st.SearchStrategy[bytes]:
    return st.sampled_from([(DATA / p).read_bytes() for p in paths]).flatmap(_mutate)


def _nested(depth: int, tag: str = "div") -> str:
    return f"<{tag}>" * depth + "<p>The court held that the rule applies.</p>" + f"</{tag}>" * depth


MARKUP = st.one_of(
    st.integers(0, 50_000).map(_nested),
    st.lists(st.tuples(st.sampled_from(["p", "div", "span", "footnote", "page-number", "opinion", "b", "a", "sup"]),
                       st.text(max_size=80), st.integers(0, 99999)), max_size=60).map(
        lambda parts: "<html><body>" + "".join(
            f'<{t} class="star-pagination" label="{n}" id="fn{n}">*{n} {txt}</{t}>' for t, txt, n in parts)
        + "</body></html>"),
)

JSON_VALUES = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
                           lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=12), kids, max_size=4),
                           max_leaves=20)
CAP_KEYS = ["name_abbreviation", "name", "citations", "court", "decision_date", "first_page", "docket_number", "id",
            "casebody"]
CAP_JSON = st.fixed_dictionaries({}, optional={k: JSON_VALUES for k in CAP_KEYS}).map(
    lambda d: {**d, "casebody": d.get("casebody") if not isinstance(d.get("casebody"), dict) else {
        **d["casebody"], "opinions": [{"type": "majority", "text": "The court held that it is so."}]}})


def _with_name(suffix: str, content: st.SearchStrategy[bytes]):
    names = st.one_of(st.just(b"opinion"), st.binary(min_size=1, max_size=40).filter(
        lambda b: b"/" not in b and b"\x00" not in b and b not in (b".", b"..")))
    return st.tuples(names, content).map(lambda t: (os.fsdecode(t[0]) + suffix, t[1]))


TARGETS = {
    "text loader": _with_name(".txt", st.one_of(_real("pena-v-deprisco.txt"), JUNK)),
    "courtlistener loader": _with_name(".html", st.one_of(
        _real("courtlistener/marron-lawbox.txt", "courtlistener/bullington-columbia.txt"),
        MARKUP.map(str.encode), JUNK)),
    "cap loader": _with_name(".json", st.one_of(
        _real("cap/json/0456-01.json", "cap/json/0833-01.json"),
        CAP_JSON.map(lambda d: json.dumps(d).encode()),
        st.integers(0, 100_000).map(lambda n: ('{"casebody": ' + "[" * n + "]" * n + "}").encode()), JUNK)),
    "cap html loader": _with_name(".html", st.one_of(_real("cap/html/0456-01.html"), JUNK)),
    "csv loader": _with_name(".csv", st.one_of(
        _real("csv/multicourt-rows.csv"),
        st.lists(st.lists(st.text(max_size=200), min_size=1, max_size=5), max_size=20).map(
            lambda rows: ("case_name,opinion,court_id\n" + "\n".join(",".join(
                '"' + c.replace('"', '""') + '"' for c in r) for r in rows)).encode("utf-8", "surrogatepass")),
        JUNK)),
}


def _pdf_bytes() -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    for page in range(2):
        pdf.add_page()
        pdf.set_font("helvetica", size=11)
        pdf.multi_cell(0, 5, text=f"{page + 1}\nThe court held that the search was reasonable. " * 8)
    return bytes(pdf.output())


def _exercise(target: str, path: Path) -> None:
    """Load ``path``; every Document goes through structure and chunker; only InputError escapes."""
    with cpu_budget(target):
        for item in loaders.load(path):
            if isinstance(item, InputError):
                assert item.source.startswith(str(path.parent)), f"{target}: message without the file: {item}"
                STATS[target]["rejected"] = STATS[target].get("rejected", 0) + 1
                continue
            op = structure.build(item)
            passages = chunking.chunk(op, CHUNK)
            for p in passages:
                assert op.text[p.start:p.end] == p.text and p.n_tokens <= CHUNK.max_tokens


@pytest.mark.parametrize("target", list(TARGETS))
def test_loaders_only_raise_documented_errors(target):
    @FUZZ
    @given(TARGETS[target])
    def run(named):
        name, data = named
        with tempfile.TemporaryDirectory() as d:
            path = Path(d) / name
            path.write_bytes(data)
            _exercise(target, path)

    run()


def test_pdf_loader_only_raises_documented_errors():
    base = _pdf_bytes()

    @FUZZ
    @given(st.one_of(_mutate(base), JUNK.map(lambda b: b"%PDF-1.4\n" + b)))
    def run(data):
        with tempfile.TemporaryDirectory() as d:
            path = Path(d) / "opinion.pdf"
            path.write_bytes(data)
            _exercise("pdf loader", path)

    run()


SCOTUS_LINE = st.fixed_dictionaries(
    {"cluster_id": st.one_of(st.integers(), st.text(max_size=10), JSON_VALUES)},
    optional={"case_name": JSON_VALUES | st.text(max_size=40), "citations": JSON_VALUES, "year": JSON_VALUES,
              "us_citation": JSON_VALUES,
              "opinions": st.lists(st.fixed_dictionaries({}, optional={
                  "opinion_type": st.sampled_from(["010combined", "020lead", "040dissent"]) | JSON_VALUES,
                  "file": st.sampled_from(["opinions/a.html", "opinions/b.html", "../outside.html", "/etc/hostname",
                                           "opinions/../../x", "opinions"]) | JSON_VALUES}), max_size=3)})


def test_scotus_corpus_loader_only_raises_documented_errors():
    @FUZZ
    @given(st.lists(st.one_of(SCOTUS_LINE.map(json.dumps), st.text(max_size=100)), max_size=8),
           st.one_of(MARKUP.map(str.encode), JUNK))
    def run(lines, opinion):
        with tempfile.TemporaryDirectory() as d:
            root = Path(d) / "corpus"
            (root / "opinions").mkdir(parents=True)
            (root / "opinions" / "a.html").write_bytes(opinion)
            (root / "opinions" / "b.html").write_text("<p>The court held it.</p>", encoding="utf-8")
            (Path(d) / "outside.html").write_text("<p>A secret outside the corpus.</p>", encoding="utf-8")
            (root / "cases.jsonl").write_text("\n".join(lines), encoding="utf-8", errors="surrogatepass")
            _exercise("scotus loader", root)

    run()


BLOCKS = st.lists(st.builds(
    lambda text, kind, breaks, marks, note: Block(
        text=text, kind=kind,
        page_breaks=tuple(sorted((min(o, len(text)), p) for o, p in breaks)),
        marks=tuple(sorted((min(o, len(text)), lb) for o, lb in marks)),
        footnote=note if kind == "footnote" else None),
    st.text(max_size=400), st.sampled_from(["body", "body", "heading", "footnote"]),
    st.lists(st.tuples(st.integers(0, 400), st.integers(-5, 100_000)), max_size=3),
    st.lists(st.tuples(st.integers(0, 400), st.sampled_from(["1", "2", "*", "a"])), max_size=2),
    st.sampled_from(["1", "2", "*", "a", None])), max_size=40)


def test_structure_and_chunker_hold_their_invariants():
    @FUZZ
    @given(BLOCKS, st.booleans())
    def run(blocks, has_pages):
        doc = Document(blocks=tuple(blocks), meta=Meta(), source="x.txt", format="text", sha256="0",
                       has_pages=has_pages)
        with cpu_budget("structure and chunker"):
            op = structure.build(doc)
            assert all(0 <= p.start <= p.end <= len(op.text) for p in op.paragraphs)
            assert [o for o, _ in op.pages] == sorted(o for o, _ in op.pages)
            for p in chunking.chunk(op, CHUNK):
                assert op.text[p.start:p.end] == p.text and p.n_tokens <= CHUNK.max_tokens

    run()


EVAL_LINE = st.one_of(
    st.fixed_dictionaries({}, optional={
        "id": JSON_VALUES, "question": JSON_VALUES | st.text(max_size=100), "answerable": JSON_VALUES,
        "evidence": st.lists(st.fixed_dictionaries({}, optional={
            "quote": JSON_VALUES | st.text(max_size=100), "case": JSON_VALUES, "citation": JSON_VALUES,
            "pin": st.text(max_size=10) | JSON_VALUES}), max_size=3) | JSON_VALUES,
        "reference_answer": JSON_VALUES, "tags": JSON_VALUES}).map(json.dumps),
    st.text(max_size=200),
    st.integers(0, 50_000).map(lambda n: "[" * n + "]" * n),
)


def test_eval_set_reader_only_raises_its_error():
    @FUZZ
    @given(st.lists(EVAL_LINE, max_size=10))
    def run(lines):
        with cpu_budget("eval-set reader"):
            try:
                parse_set(lines, "fuzz.jsonl")
            except EvalSetError as e:
                assert all(p.split(":", 1)[0].isdigit() for p in e.problems), e.problems  # each names its line
                STATS["eval-set reader"]["rejected"] = STATS["eval-set reader"].get("rejected", 0) + 1

    run()


QUESTION = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF) | st.sampled_from(
        list("\u200b\u200e\u202e\u2066\ufeff\x00\x1b\x7f\t\n")) | st.characters(), max_size=200),
    st.sampled_from(['qualified immunity NEAR/3 "officers"', 'immun* AND NOT (drunk OR driving)', "court:2d",
                     '"""', "§§ 1983 42 U.S.C.", "12(b)(6)", "*", "-", "()"]),
    st.integers(1900, 100_000).map(lambda n: "qualified immunity " * (n // 19)),
)


@pytest.fixture(scope="module")
def pena(tmp_path_factory):
    from qa_bot.library import Library

    lib = Library.open(tmp_path_factory.mktemp("fuzzq") / "lib", create=True)
    lib.ingest([DATA / "pena-v-deprisco.txt"])
    yield lib
    lib.close()


def test_the_question_path_only_raises_bad_question(pena):
    @FUZZ
    @given(QUESTION, st.sampled_from(["bm25", "dense", "hybrid"]))
    def run(question, mode):
        with cpu_budget("question path"):
            try:
                pena.search(question, mode=mode, k=5)
                answer = pena.ask(question, mode=mode)
                assert answer.abstained or answer.citations
            except BadQuestion as e:
                assert str(e)
                STATS["question path"]["rejected"] = STATS["question path"].get("rejected", 0) + 1

    run()
