"""The plain-text loader on the real seed files (CAP style and normalised) and on bad input."""

from __future__ import annotations

import json
import shutil

import pytest

from qa_bot.errors import InputError
from qa_bot.ingest.loaders import text as text_loader


def load_one(path):
    docs = list(text_loader.load(path))
    assert len(docs) == 1
    return docs[0]


def test_cap_text_pages_footnotes_and_meta(data_dir):
    doc = load_one(data_dir / "pena-v-deprisco.txt")
    assert doc.format == "text" and doc.has_pages
    assert doc.meta.case_name == "Pena v. DePrisco"
    assert doc.meta.citation == "432 F.3d 98" and doc.meta.court_id == "ca2"
    assert doc.meta.year == 2005 and doc.meta.first_page == 98
    assert len(doc.sha256) == 64

    body = [b for b in doc.blocks if b.kind == "body"]
    notes = [b for b in doc.blocks if b.kind == "footnote"]
    assert [b.footnote for b in notes] == [str(i) for i in range(1, 24)]
    assert notes[4].text.startswith("Captain White and Officers Gaskin")
    # a footnote that runs on to the next page: "precedent *107for" -> "precedent for", break recorded
    (long_note,) = [n for n in notes if "precedent for holding officers liable" in n.text]
    assert [p for _, p in long_note.page_breaks] == [107] and "*" not in long_note.text
    assert notes[18].text.startswith("The plaintiffs seek also")  # the one written ".The" without a space
    # footnote markers: 1..23, in order, removed from the text
    labels = [label for b in body for _, label in b.marks]
    assert labels == [str(i) for i in range(1, 24)]
    joined = "\n".join(b.text for b in body)
    assert "Joseph Grey, while" in joined and "Grey,1" not in joined
    assert "“encouraged to inappropriately" in joined
    # star pages removed, also inside words; page breaks 103..115 in order
    assert "paints various defendants" in joined and "*10" not in joined and "*11" not in joined
    pages = [p for b in body for _, p in b.page_breaks]
    assert pages == list(range(103, 116))
    # real numbers stay
    for kept in ("42 U.S.C. § 1983", "317 F.3d 194, 197 (2d Cir.2003)", "in 1984,", "(11th Cir.1989), cert."):
        assert kept in joined
    # each mark points just after the word it was glued to
    first = body[0]
    off, label = first.marks[0]
    assert label == "1" and first.text[:off].endswith("Joseph Grey,")
    for b in body:
        for off, page in b.page_breaks:
            assert 0 <= off <= len(b.text)
    karpen = next(b for b in body if "Rick Karpen" in b.text)
    off = dict((p, o) for o, p in karpen.page_breaks)[105]
    assert karpen.text[off:].startswith("pen were not")


def test_normalised_text_is_plain(data_dir):
    doc = load_one(data_dir / "pena-v-deprisco.normalized.txt")
    assert not doc.has_pages
    assert doc.meta.case_name == ""  # no sidecar for this file
    assert all(b.kind == "body" and not b.marks and not b.page_breaks for b in doc.blocks)
    assert doc.blocks[0].text.startswith("on august,new york city police officer joseph grey")


def test_sniff(tmp_path, data_dir):
    assert text_loader.sniff(data_dir / "pena-v-deprisco.txt", b"On August")
    upper = tmp_path / "OPINION.TEXT"
    upper.write_text("Some text.")
    assert text_loader.sniff(upper, b"Some text.")
    bare = tmp_path / "opinion"
    bare.write_text("Plain words of an opinion.")
    assert text_loader.sniff(bare, bare.read_bytes())
    blob = tmp_path / "blob"
    blob.write_bytes(b"\x00\x01\x02binary")
    assert not text_loader.sniff(blob, blob.read_bytes())
    pdf = tmp_path / "x.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    assert not text_loader.sniff(pdf, b"%PDF-1.4")
    assert not text_loader.sniff(tmp_path, b"")


@pytest.mark.parametrize(
    "content, reason",
    [
        (b"", "empty file"),
        (b"  \n\n \t", "empty file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
        ("Caf\u00e9 owners \u201cpromised\u201d to pay.".encode("cp1252"), "not UTF-8"),
    ],
)
def test_bad_text_files(tmp_path, content, reason):
    f = tmp_path / "bad.txt"
    f.write_bytes(content)
    with pytest.raises(InputError) as e:
        list(text_loader.load(f))
    assert reason in str(e.value) and "bad.txt" in str(e.value)


def test_malformed_sidecar_names_the_sidecar(tmp_path, data_dir):
    f = tmp_path / "op.txt"
    shutil.copy(data_dir / "pena-v-deprisco.txt", f)
    (tmp_path / "op.json").write_text('{"case_name": "Pena v. DePrisco", ')
    with pytest.raises(InputError) as e:
        list(text_loader.load(f))
    assert e.value.source.endswith("op.json") and "malformed sidecar" in e.value.reason


@pytest.mark.parametrize(
    "sidecar, field",
    [({"year": "two thousand"}, "year"), ({"case_name": 12}, "case_name"), (["a", "list"], "JSON object"),
     ({"date": "last spring"}, "date")],
)
def test_sidecar_bad_fields(tmp_path, sidecar, field):
    f = tmp_path / "op.txt"
    f.write_text("The court held that the statute applies.\n")
    (tmp_path / "op.json").write_text(json.dumps(sidecar))
    with pytest.raises(InputError) as e:
        list(text_loader.load(f))
    assert field in str(e.value) and "op.json" in str(e.value)


def test_sidecar_date_gives_year(tmp_path):
    f = tmp_path / "op.txt"
    f.write_text("The court held that the statute applies.\n")
    (tmp_path / "op.json").write_text(json.dumps({"date": "1967-12-18", "court_id": "scotus", "note": "ignored"}))
    doc = load_one(f)
    assert doc.meta.year == 1967 and doc.meta.date == "1967-12-18" and doc.meta.court_id == "scotus"


def test_markers_need_their_footnotes(tmp_path):
    """Without a trailing footnote list, glued digits are ordinary text."""
    f = tmp_path / "op.txt"
    f.write_text("The officer, Grey,1 drove. See 42 U.S.C. § 1983.\nIn 1984 he applied.\n")
    doc = load_one(f)
    assert doc.blocks[0].text == "The officer, Grey,1 drove. See 42 U.S.C. § 1983." and not doc.blocks[0].marks


def test_small_cap_style_text(tmp_path):
    f = tmp_path / "op.txt"
    f.write_text(
        "Smith sued in 2001.1 The claim arose under 42 U.S.C. § 1983, see 12 F.3d 45 (2d Cir. 1993).\n"
        "The court *12 agreed and the de*13fendant appealed.2\n"
        ". First note.\n"
        ".Second note without a space.\n"
    )
    doc = load_one(f)
    b0, b1, n1, n2 = doc.blocks
    assert b0.marks == ((len("Smith sued in 2001."), "1"),)
    assert b0.text.startswith("Smith sued in 2001. The claim arose under 42 U.S.C. § 1983")
    assert b1.text == "The court agreed and the defendant appealed."
    assert b1.page_breaks == ((len("The court "), 12), (len("The court agreed and the de"), 13))
    assert b1.marks == ((len(b1.text), "2"),)
    assert (n1.text, n1.footnote, n2.text, n2.footnote) == ("First note.", "1", "Second note without a space.", "2")


# --- metadata from the opening lines when there is no sidecar ------------------------------------------
SMITH = """Smith v. Jones, 123 F.4th 456 (9th Cir. 2023)
The question presented is whether a municipal ordinance that bars sleeping in parked vehicles violates the Fourth Amendment.
We hold that it does not, because the ordinance regulates conduct in public places and authorizes no search or seizure.
The judgment of the district court is affirmed.
"""


def test_caption_line_gives_case_name_citation_court_and_year(tmp_path):
    """Before: this file was stored as an opinion with a hash for a name, no citation, court or year."""
    path = tmp_path / "smith.txt"
    path.write_text(SMITH, encoding="utf-8")
    doc = load_one(path)
    m = doc.meta
    assert (m.case_name, m.citation, m.court_id, m.year) == ("Smith v. Jones", "123 F.4th 456", "ca9", 2023)
    assert m.court == "Court of Appeals for the Ninth Circuit" and doc.notes == ()


def test_caption_over_several_lines(tmp_path):
    path = tmp_path / "gault.txt"
    path.write_text("IN RE GAULT\nNo. 116.\nSupreme Court of the United States\n387 U.S. 1\nDecided May 15, 1967.\n"
                    "Appellants' 15-year-old son was taken into custody.\n", encoding="utf-8")
    m = load_one(path).meta
    assert (m.case_name, m.citation, m.court_id, m.year) == ("IN RE GAULT", "387 U.S. 1", "scotus", 1967)


def test_a_citation_inside_the_first_sentence_is_not_the_caption(tmp_path):
    path = tmp_path / "plain.txt"
    path.write_text("Officers may be liable where they encouraged the danger. See Dwares v. City of New York, "
                    "985 F.2d 94, 98 (2d Cir. 1993).\nThe claims go on.\n", encoding="utf-8")
    doc = load_one(path)
    assert (doc.meta.case_name, doc.meta.citation, doc.meta.year) == ("", "", None)
    (note,) = doc.notes
    assert note.startswith("case name, citation, court, year not found in the opening lines and no plain.json")
    assert "qa-bot edit" in note


def test_a_sidecar_wins_over_the_opening_lines(tmp_path):
    path = tmp_path / "smith.txt"
    path.write_text(SMITH, encoding="utf-8")
    path.with_suffix(".json").write_text(json.dumps({"case_name": "Smith v. Jones (corrected)"}), encoding="utf-8")
    doc = load_one(path)
    assert doc.meta.case_name == "Smith v. Jones (corrected)" and doc.meta.citation == "" and doc.notes == ()


def test_ingest_says_what_is_missing_and_cites_never_start_with_a_comma(tmp_path):
    from qa_bot.answer.cite import cite_passage
    from qa_bot.ingest.pipeline import ingest
    from qa_bot.ingest.store import Store

    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "smith.txt").write_text(SMITH, encoding="utf-8")
    (tmp_path / "src" / "plain.txt").write_text("The officers argued that they were entitled to qualified immunity "
                                                 "for their conduct at the scene.\nWe disagree.\n", encoding="utf-8")
    with Store(tmp_path / "lib") as store:
        report = ingest(store, [tmp_path / "src"])
        by_name = {r.source.rsplit("/", 1)[-1]: r for r in report.ingested}
        assert by_name["smith.txt"].detail.startswith("Smith v. Jones, 123 F.4th 456: ")
        assert "not found" not in by_name["smith.txt"].detail
        assert "case name, citation, court, year not found" in by_name["plain.txt"].detail
        cites = {p.opinion_id: cite_passage(p)[0] for p in store.passages()}
        assert cites[by_name["smith.txt"].opinion_id].startswith("Smith v. Jones, 123 F.4th 456")
        assert cites[by_name["smith.txt"].opinion_id].endswith("(9th Cir. 2023)")
        plain = cites[by_name["plain.txt"].opinion_id]
        assert not plain.startswith(",") and plain.startswith(f"Unnamed opinion {by_name['plain.txt'].opinion_id}")
