"""Chunker: whole sentences inside one paragraph/footnote, token budgets, offsets and pins."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from qa_bot import offline
from qa_bot.ingest import sentences, structure
from qa_bot.ingest.chunk import chunk, default_model_tokens
from qa_bot.ingest.loaders import text as text_loader
from qa_bot.settings import ChunkSettings
from qa_bot.types import Block, Document, Meta

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def pena():
    return structure.build(next(text_loader.load(DATA / "pena-v-deprisco.txt")))


@pytest.fixture(scope="module")
def model_tokens():
    return default_model_tokens()  # the real all-MiniLM-L6-v2 tokenizer


@pytest.fixture(scope="module")
def passages(pena, model_tokens):
    return chunk(pena, ChunkSettings(), model_tokens)


def holding(passages, needle):
    (p,) = [p for p in passages if needle in p.text]
    return p


def test_pena_passages_are_exact_and_within_budgets(pena, passages, model_tokens):
    enc = offline.encoding("cl100k_base")
    assert [p.ordinal for p in passages] == list(range(len(passages)))
    for p in passages:
        assert pena.text[p.start:p.end] == p.text and p.text == p.text.strip()
        assert p.n_tokens == len(enc.encode_ordinary(p.text)) <= 180
        assert model_tokens(p.text) <= 256
        assert p.opinion_id == pena.id and p.case_name == "Pena v. DePrisco" and p.citation == "432 F.3d 98"
        assert p.court_id == "ca2" and p.year == 2005 and p.part == "majority"
        assert "\n" not in p.text  # never crosses a paragraph


def test_pena_pins(pena, passages):
    officers = holding(passages, "Officers discussed which sobriety test Grey would be able to")
    assert officers.page_start == 103
    wood = holding(passages, "stranded Wood in a high-crime area")
    assert wood.page_start == 109 and wood.page_end == 109
    para = next(p for p in pena.paragraphs if p.start <= wood.start < p.end)
    assert pena.page_at(para.start) == 108
    fn5 = holding(passages, "Captain White and Officers Gaskin")
    assert (fn5.footnote, fn5.page_start, fn5.page_end) == ("5", 105, 105)
    assert fn5.pin == "105 n.5"  # (this was asserted only if qa_bot/cite.py existed, which it no longer does)
    assert holding(passages, "The Due Process Clause provides").section == "DISCUSSION > II > A"


def test_footnotes_stay_out_of_body_passages(pena, passages):
    assert {p.footnote for p in passages if p.footnote} == {str(i) for i in range(1, 24)}
    for p in passages:
        fn = pena.footnote_at(p.start)
        if p.footnote is None:
            assert fn is None
        else:
            assert fn is not None and fn.label == p.footnote and p.end <= fn.end
            assert p.page_start == p.page_end == fn.page
    bodies = " ".join(p.text for p in passages if p.footnote is None)
    for fn in pena.footnotes:
        assert pena.text[fn.start:fn.start + 40] not in bodies
    assert "various defendants" in bodies and "vari ous" not in bodies


def test_headings_are_not_passages(pena, passages):
    assert not any(p.text in ("BACKGROUND", "DISCUSSION", "CONCLUSION") for p in passages)


def test_normalised_seed_is_one_plain_opinion(model_tokens):
    docs = list(text_loader.load(DATA / "pena-v-deprisco.normalized.txt"))
    assert len(docs) == 1
    op = structure.build(docs[0])
    ps = chunk(op, ChunkSettings(), model_tokens)
    assert op.pages == () and op.footnotes == () and len(ps) > 20
    assert all(p.page_start is None and p.footnote is None and op.text[p.start:p.end] == p.text for p in ps)
    assert all(model_tokens(p.text) <= 256 for p in ps)


def test_long_sentence_is_split_at_word_boundaries():
    words = [f"word{i}" for i in range(400)]
    sentence = " ".join(words) + "."
    op = structure.build(Document((Block(sentence),), Meta(), "s", "t", "0"))
    ps = chunk(op, ChunkSettings(max_tokens=50), lambda s: 0)
    assert len(ps) > 5
    for p in ps:
        assert p.n_tokens <= 50
        assert op.text[p.start - 1:p.start].strip() == "" and op.text[p.end:p.end + 1].strip() == ""
    assert " ".join(p.text for p in ps) == sentence


def test_model_limit_splits_further():
    text = "The court held that the statute applies to every officer who acts under color of law. " * 6
    op = structure.build(Document((Block(text),), Meta(), "s", "t", "0"))
    chars = lambda s: len(s) // 4 + 2  # a stand-in tokenizer with a much smaller budget than tiktoken's
    ps = chunk(op, ChunkSettings(max_tokens=500, model_max_tokens=60), chars)
    assert len(ps) > 1 and all(chars(p.text) <= 60 for p in ps)
    assert all(p.text.endswith(".") for p in ps)  # split between sentences, not inside one


@pytest.mark.parametrize("text, expected", [
    ("See Dwares v. City of New York, 985 F.2d 94, 99 (2d Cir.1993). The court agreed.", 2),
    ("Mr. Grey drank with Lt. Smith, e.g., at the bar. He drove.", 2),
    ("Id. at 99. The plaintiff in Dwares was a participant.", 2),
    ("The rule of 42 U.S.C. § 1983 applies. No. 03-7788 was argued.", 2),
    ("Posner, J., wrote for the court. See Bowers, 686 F.2d at 618 (Posner, J.). Id. The end.", 4),
    ("It is “[N]o State shall ... deprive any person of life.” So it reads.", 2),
    ("the court held so.the next sentence starts here. and one more", 3),
    ("See Cal. Penal Code § 187. Cf. Tex. Stat. Ann. art. 5. Done.", 3),
])
def test_sentence_splitter(text, expected):
    op = structure.build(Document((Block(text),), Meta(), "s", "t", "0"))
    spans = sentences.split(op.text, 0, len(op.text), [(c.start, c.end) for c in op.cites])
    assert len(spans) == expected, [op.text[a:b] for a, b in spans]


# --- property tests ------------------------------------------------------------------------
WORDS = ["the", "court", "held", "that", "Grey", "v.", "U.S.", "F.3d", "Id.", "e.g.,", "Cir.", "No.", "Mr.",
         "J.", "§", "1983", "supra", "officers", "“encouraged”", "(2d", "Cir.2003)", "at", "99", "state-created",
         "danger.", "immunity?", "Smith v. Jones, 985 F.2d 94 (2d Cir. 1993)", "x" * 60, "pneumonoultramicro"]


@st.composite
def opinions(draw):
    n_par = draw(st.integers(1, 5))
    blocks, page = [], 100
    for i in range(n_par):
        sents = draw(st.lists(st.lists(st.sampled_from(WORDS), min_size=1, max_size=40), min_size=1, max_size=8))
        text = " ".join(" ".join(s).capitalize() + "." for s in sents)
        breaks = []
        for off in sorted(set(draw(st.lists(st.integers(0, len(text)), max_size=2)))):
            page += 1
            breaks.append((off, page))
        marks = ((len(text), str(i + 1)),) if draw(st.booleans()) else ()
        blocks.append(Block(text, page_breaks=tuple(breaks), marks=marks))
        if marks:
            blocks.append(Block("Footnote " + text[:200], kind="footnote", footnote=str(i + 1)))
    body = [b for b in blocks if b.kind == "body"]
    return structure.build(Document(tuple(body + [b for b in blocks if b.kind == "footnote"]),
                                    Meta(case_name="A v. B"), "h", "t", "0"))


@hsettings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(op=opinions(), max_tokens=st.integers(8, 80), model_max=st.integers(12, 80))
def test_chunk_properties(op, max_tokens, model_max):
    enc = offline.encoding("cl100k_base")
    fake_model = lambda s: len(s.split()) + 2  # noqa: E731  (deterministic stand-in tokenizer)
    cfg = ChunkSettings(max_tokens=max_tokens, min_tokens=min(5, max_tokens), model_max_tokens=model_max)
    ps = chunk(op, cfg, fake_model)
    assert [p.ordinal for p in ps] == list(range(len(ps)))
    for p in ps:
        assert op.text[p.start:p.end] == p.text != ""
        assert p.n_tokens == len(enc.encode_ordinary(p.text)) <= max_tokens or len(p.text) == 1
        assert fake_model(p.text) <= model_max or " " not in p.text
        if p.footnote is None:
            assert (p.page_start, p.page_end) == (op.page_at(p.start), op.page_at(p.end - 1))
            if p.page_start is not None:
                assert p.page_start <= p.page_end
                inside = {pg for o, pg in op.pages if p.start < o < p.end}
                assert inside <= set(range(p.page_start, p.page_end + 1))
        else:
            fn = op.footnote_at(p.start)
            assert fn.label == p.footnote and p.page_start == fn.page
    # the passages of each paragraph, with the whitespace between them, give the paragraph
    for para in op.paragraphs:
        if para.kind == "heading":
            continue
        mine = [p for p in ps if para.start <= p.start < para.end]
        assert mine and all(p.end <= para.end for p in mine)
        assert mine[0].start == para.start and mine[-1].end == para.end
        for a, b in zip(mine, mine[1:]):
            assert a.end <= b.start and op.text[a.end:b.start].strip() == ""
        rebuilt = "".join(p.text + op.text[p.end:q.start] for p, q in zip(mine, mine[1:])) + mine[-1].text
        assert rebuilt == op.text[para.start:para.end]


def test_page_at_reads_the_page_offsets_once_per_opinion(pena):
    """Before: every call rebuilt the list of page offsets (a pin per sentence made it quadratic)."""
    from dataclasses import replace

    class Counting(tuple):
        reads = 0

        def __iter__(self):
            Counting.reads += 1
            return super().__iter__()

    op = replace(pena, pages=Counting(pena.pages))
    first = [op.page_at(o) for o in range(0, len(op.text), 997)]
    reads = Counting.reads
    assert [op.page_at(o) for o in range(0, len(op.text), 997)] == first == [pena.page_at(o) for o in
                                                                              range(0, len(op.text), 997)]
    assert Counting.reads == reads and reads <= 2

