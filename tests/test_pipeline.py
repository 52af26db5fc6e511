"""The whole structure path on real opinions: loader -> structure -> chunk."""

from __future__ import annotations

from qa_bot.ingest import chunk, loaders, structure
from qa_bot.settings import ChunkSettings
from qa_bot.types import Document


def _katz(data_dir):
    docs = [d for d in loaders.load(data_dir / "scotus-subset") if isinstance(d, Document)]
    (doc,) = [d for d in docs if d.meta.citation == "389 U.S. 347"]
    return structure.build(doc)


def test_katz_twofold_requirement_is_harlan_concurring_at_361(data_dir):
    op = _katz(data_dir)
    passages = chunk.chunk(op, ChunkSettings())
    (p,) = [p for p in passages if "there is a twofold requirement" in p.text]
    assert (p.page_start, p.page_end, p.pin) == (361, 361, "361")
    assert (p.part, p.author) == ("concurrence", "Harlan")
    assert p.case_name == "Katz v. United States" and p.court_id == "scotus"
    assert op.text[p.start : p.end] == p.text


def test_katz_parts_and_footnotes(data_dir):
    op = _katz(data_dir)
    assert [(p.kind, p.author) for p in op.parts if p.author] == [
        ("majority", "Stewart"), ("concurrence", "Douglas"), ("concurrence", "Harlan"),
        ("concurrence", "White"), ("dissent", "Black"),
    ]
    labels = [f.label for f in op.footnotes]
    assert labels[:24] == [str(i) for i in range(1, 25)]
    assert labels[24:] == ["*", "*", "*"]  # Harlan's, White's and Black's own notes stay three notes
    assert all(f.marker is not None and f.page for f in op.footnotes)
    # no footnote text inside body passages
    body = [p for p in chunk.chunk(op, ChunkSettings()) if p.footnote is None]
    notes = [op.text[f.start : f.end] for f in op.footnotes]
    long_notes = [n for n in notes if len(n) > 80]  # short ones ("Rios v. United States, 364 U. S. 253.") recur in the body
    assert len(long_notes) > 15
    for note in long_notes:
        assert not any(note[:80] in p.text for p in body)


def test_the_chunker_and_the_role_tagger_split_sentences_alike(data_dir):
    """``prepare`` splits each paragraph once and hands the spans to both (``spans``): the chunker's split
    with all citations protected and the tagger's ``opinion_sentences`` must be the same sentences."""
    import functools

    from qa_bot.ingest import roles, sentences

    docs = [d for d in loaders.load(data_dir / "scotus-subset") if isinstance(d, Document)]
    docs += list(loaders.load(data_dir / "pena-v-deprisco.txt"))
    checked = 0
    for doc in docs:
        op = structure.build(doc)
        protected = [(c.start, c.end) for c in op.cites]
        for para in op.paragraphs:
            if para.end > para.start:
                assert sentences.split(op.text, para.start, para.end, protected) == \
                    sentences.opinion_sentences(op, para.start, para.end)
                checked += 1
        spans = functools.lru_cache(maxsize=None)(functools.partial(sentences.opinion_sentences, op))
        assert roles.tag(op, spans) == roles.tag(op)
        assert chunk.chunk(op, ChunkSettings(), spans=spans) == chunk.chunk(op, ChunkSettings())
    assert checked > 150
