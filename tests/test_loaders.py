"""Loaders for every format except plain text, and the registry, on real opinions from tests/data."""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
from pathlib import Path

import pytest

from qa_bot.errors import InputError, UnknownFormat
from qa_bot.ingest.loaders import detect, iter_files, load
from qa_bot.types import Document

DATA = Path(__file__).parent / "data"
SUBSET = DATA / "scotus-subset"
KATZ = SUBSET / "opinions" / "citing" / "107564_010combined.txt"
GOESAERT_DISSENT = SUBSET / "opinions" / "cited" / "104606_040dissent.txt"
GOESAERT_LEAD = SUBSET / "opinions" / "cited" / "104606_020lead.txt"
CSV_ROWS = DATA / "csv" / "multicourt-rows.csv"
CAP_JSON = DATA / "cap" / "json"
CAP_HTML = DATA / "cap" / "html" / "0456-01.html"


def only_doc(path) -> Document:
    out = list(load(path))
    assert len(out) == 1 and isinstance(out[0], Document), out
    return out[0]


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def page_before(doc: Document, block_index: int) -> int | None:
    """The page in force at the start of body block ``block_index``."""
    page = None
    for b in doc.blocks[: block_index + 1]:
        if b.kind != "footnote" and b.page_breaks:
            if b is doc.blocks[block_index]:
                if b.page_breaks[0][0] == 0:
                    page = b.page_breaks[0][1]
            else:
                page = b.page_breaks[-1][1]
    return page


def find(doc: Document, start: str) -> int:
    return next(i for i, b in enumerate(doc.blocks) if b.text.startswith(start))


# --- courtlistener: html_with_citations ------------------------------------------------------------
@pytest.fixture(scope="module")
def katz() -> Document:
    return only_doc(KATZ)


def test_katz_is_courtlistener_and_clean(katz):
    assert detect(KATZ).NAME == "courtlistener"
    assert katz.format == "courtlistener" and katz.has_pages
    assert katz.sha256 == sha(KATZ.read_bytes())
    for b in katz.blocks:
        assert "<" not in b.text and "star-pagination" not in b.text and "*36" not in b.text
        assert not b.text.startswith("[")
        for off, _ in b.page_breaks + b.marks:
            assert 0 <= off <= len(b.text)
    assert katz.meta.citation == "389 U.S. 347" and katz.meta.year == 1967
    assert katz.meta.case_name == "Katz v. United States"
    assert any(b.kind == "heading" and b.text == "KATZ v. UNITED STATES." for b in katz.blocks)


def test_katz_harlan_page_361(katz):
    harlan = find(katz, "MR. JUSTICE HARLAN, concurring.")
    assert katz.blocks[harlan].text == "MR. JUSTICE HARLAN, concurring."
    join = katz.blocks[harlan + 1]
    assert join.text.startswith("I join the opinion of the Court")
    [(off, page)] = join.page_breaks
    assert page == 361 and join.text[off:].startswith("and (c) that the invasion")
    assert join.text[:off].endswith("violation of the Fourth Amendment; ")
    twofold = find(katz, "As the Court's opinion states")
    assert "twofold requirement" in katz.blocks[twofold].text
    assert page_before(katz, twofold) == 361
    assert katz.blocks[0].page_breaks == ((0, 347),)  # the caption precedes *348


def test_katz_footnotes_and_marks(katz):
    notes = [b for b in katz.blocks if b.kind == "footnote"]
    assert [b.footnote for b in notes] == [str(i) for i in range(1, 25)] + ["*", "*", "*"]
    marks = [lb for b in katz.blocks if b.kind != "footnote" for _, lb in b.marks]
    assert marks == [str(i) for i in range(1, 25)] + ["*", "*", "*"]
    first = next(b for b in katz.blocks if b.marks)
    off, label = first.marks[0]
    assert label == "1" and first.text[:off].endswith("in violation of a federal statute.")
    assert "We find no merit" in notes[2].text  # footnote 3 runs on over a second <p>
    assert notes[0].text.startswith("18 U. S. C. § 1084.")


# --- courtlistener: xml_harvard --------------------------------------------------------------------
def test_harvard_xml_dissent():
    doc = only_doc(GOESAERT_DISSENT)
    assert doc.format == "courtlistener" and doc.has_pages
    first = doc.blocks[0]
    assert first.text == ("Mr. Justice Rutledge, with whom Mr. Justice Douglas and Mr. Justice Murphy join, "
                          "dissenting.")
    assert first.page_breaks == ((0, 467),)
    assert {b.part for b in doc.blocks} == {"dissent"}
    assert {b.author for b in doc.blocks} == {"Rutledge"}
    body = doc.blocks[1]
    [(off, page)] = body.page_breaks
    assert page == 468 and body.text[off:].startswith("with “mathematical nicety,”")
    assert [lb for _, lb in body.marks] == ["1", "2", "3"]
    assert body.text[: body.marks[0][0]].endswith("“abstract symmetry”")
    notes = [b for b in doc.blocks if b.kind == "footnote"]
    assert [b.footnote for b in notes] == ["1", "2", "3"]
    assert notes[0].text == "Patsone v. Pennsylvania, 232 U. S. 138, 144."


def test_courtlistener_sidecar_meta(tmp_path):
    f = tmp_path / "goesaert.xml"
    shutil.copy(GOESAERT_LEAD, f)
    (tmp_path / "goesaert.json").write_text(json.dumps({"case_name": "Goesaert v. Cleary", "citation": "335 U.S. 464",
                                                        "court_id": "scotus", "year": 1948}))
    doc = only_doc(f)
    assert doc.meta.case_name == "Goesaert v. Cleary" and doc.meta.year == 1948
    assert doc.blocks[0].text == "Mr. Justice Frankfurter delivered the opinion of the Court."
    assert doc.blocks[0].page_breaks == ((0, 465),)
    assert [str(p) for p in iter_files([tmp_path])] == [str(f)]  # the sidecar is not an opinion


def test_courtlistener_empty_markup_is_an_error(tmp_path):
    f = tmp_path / "empty.html"
    f.write_text("<div><p>  </p></div>")
    [err] = list(load(f))
    assert isinstance(err, InputError) and "empty.html" in str(err) and "no opinion text" in str(err)


# --- scotus corpus layout --------------------------------------------------------------------------
def test_scotus_subset():
    out = list(load(SUBSET))
    docs = [d for d in out if isinstance(d, Document)]
    errors = [e for e in out if isinstance(e, InputError)]
    assert len(docs) == 2 and len(errors) == 1
    assert "5712559" in str(errors[0]) and "5712559_020lead.txt" in str(errors[0]) and "missing" in str(errors[0])

    katz, goesaert = docs
    assert katz.format == "scotus" and katz.source.endswith("#107564")
    m = katz.meta
    assert (m.case_name, m.citation, m.court, m.court_id, m.year, m.first_page, m.external_id) == (
        "Katz v. United States", "389 U.S. 347", "Supreme Court of the United States", "scotus", 1967, 347, "107564")
    assert m.source_url == "https://www.courtlistener.com/opinion/107564/katz-v-united-states/"
    assert "88 S. Ct. 507" in m.parallel_citations and not any("LEXIS" in c for c in m.parallel_citations)
    assert katz.sha256 == sha(KATZ.read_bytes())
    assert sum(b.kind == "footnote" for b in katz.blocks) == 27

    # no 010combined in the subset line: lead + dissent joined, parts from the files
    assert goesaert.sha256 == sha(GOESAERT_LEAD.read_bytes() + GOESAERT_DISSENT.read_bytes())
    parts = [b.part for b in goesaert.blocks]
    assert parts == sorted(parts, key=["majority", "dissent"].index) and set(parts) == {"majority", "dissent"}
    assert goesaert.blocks[0].page_breaks == ((0, 465),) and goesaert.has_pages
    dissent = next(b for b in goesaert.blocks if b.part == "dissent")
    assert dissent.text.startswith("Mr. Justice Rutledge") and dissent.author == "Rutledge"


def test_scotus_folder_is_claimed_whole():
    assert detect(SUBSET).NAME == "scotus"
    assert detect(SUBSET / "cases.jsonl").NAME == "scotus"
    paths = [p for p in iter_files([DATA]) if not isinstance(p, InputError)]
    assert SUBSET in paths and KATZ not in paths


def test_scotus_bad_json_line(tmp_path):
    root = tmp_path / "corpus"
    shutil.copytree(SUBSET, root)
    with open(root / "cases.jsonl", "a") as f:
        f.write("{not json\n")
    out = list(load(root))
    assert sum(isinstance(d, Document) for d in out) == 2
    bad = [e for e in out if isinstance(e, InputError) and "line 4" in str(e)]
    assert len(bad) == 1 and "not a JSON object" in str(bad[0])


# --- CSV rows --------------------------------------------------------------------------------------
def test_csv_rows():
    out = list(load(CSV_ROWS))
    docs = [d for d in out if isinstance(d, Document)]
    errors = [str(e) for e in out if isinstance(e, InputError)]
    assert [d.meta.case_name for d in docs] == ["Staver v. Staver", "Philbrick v. Creed", "Wetzell v. Bussard"]
    assert len(errors) == 2
    assert "multicourt-rows.csv row 4: no opinion text" in errors[0]
    assert "multicourt-rows.csv row 5: has 5 fields" in errors[1]
    staver = docs[0]
    assert staver.format == "csvrows" and staver.source.endswith("multicourt-rows.csv#1")
    assert staver.meta.court_id == "njsuperctappdiv" and staver.meta.citation == "217 N.J. Super. 541"
    assert staver.meta.year == 1987 and staver.meta.external_id == "1467030"
    assert staver.has_pages
    with open(CSV_ROWS, newline="", encoding="utf-8") as f:
        text = next(csv.DictReader(f))["opinion"]
    assert staver.sha256 == sha(text.encode("utf-8"))
    pages = {p: b.text[o:o + 20] for b in staver.blocks for o, p in b.page_breaks}
    assert 543 in pages and pages[543].startswith("Donald L.")
    assert all("*54" not in b.text for b in staver.blocks)
    assert docs[1].blocks[0].part == "majority"  # opinion_type 020lead


def test_csv_html_row_and_missing_column(tmp_path):
    f = tmp_path / "rows.csv"
    with open(f, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["cluster_case_name", "court_id", "opinion_type", "opinion"])
        w.writerow(["Goesaert v. Cleary", "scotus", "040dissent", GOESAERT_DISSENT.read_text(encoding="utf-8")])
    doc = only_doc(f)
    assert doc.has_pages and doc.meta.court_id == "scotus"
    assert {b.part for b in doc.blocks} == {"dissent"}
    assert [b.footnote for b in doc.blocks if b.kind == "footnote"] == ["1", "2", "3"]

    g = tmp_path / "nocol.csv"
    g.write_text("name,body\nx,y\n")
    [err] = list(load(g))
    assert isinstance(err, InputError) and "no opinion text column" in str(err) and "nocol.csv" in str(err)


# --- CAP -------------------------------------------------------------------------------------------
def test_cap_json():
    doc = only_doc(CAP_JSON / "0456-01.json")
    assert doc.format == "cap" and not doc.has_pages
    m = doc.meta
    assert (m.case_name, m.citation, m.court, m.year, m.date, m.first_page, m.docket) == (
        "Pennsylvania R. v. Newmyer", "100 A.2d 456", "District of Columbia Municipal Court of Appeals", 1953,
        "1953-11-20", 456, "No. 1380")
    assert doc.blocks[0].text == "PENNSYLVANIA R. CO. v. NEWMYER et al." and doc.blocks[0].part is None
    notes = [b for b in doc.blocks if b.kind == "footnote"]
    assert [(b.part, b.footnote) for b in notes] == [("majority", str(i)) for i in range(1, 7)] + [
        ("dissent", str(i)) for i in range(1, 6)]
    assert notes[0].text.startswith("Suit was brought against the delivering carrier")
    dissent = [b for b in doc.blocks if b.part == "dissent" and b.kind == "body"]
    assert dissent[0].author == "Cayton"


def test_cap_folder_with_malformed_json():
    out = list(load(CAP_JSON))
    docs = [d for d in out if isinstance(d, Document)]
    errors = [e for e in out if isinstance(e, InputError)]
    assert sorted(d.meta.citation for d in docs) == ["100 A.2d 456", "100 A.2d 833"]
    assert len(errors) == 1
    msg = str(errors[0])
    assert "0038-01-truncated.json" in msg and "malformed JSON at line" in msg and "column" in msg


def test_cap_html_pages_and_footnotes():
    doc = only_doc(CAP_HTML)
    assert doc.format == "cap" and doc.has_pages
    assert doc.meta.citation == "100 A.2d 456"  # from ../json/0456-01.json
    assert doc.blocks[0].page_breaks[0] == (0, 456)
    body = [b for b in doc.blocks if b.kind == "body" and b.part == "majority"]
    assert body[0].text == "HOOD, Associate Judge."
    second = body[1]
    [(off, page)] = second.page_breaks
    assert page == 457 and second.marks[0][1] == "1"
    notes = [b for b in doc.blocks if b.kind == "footnote"]
    assert len(notes) == 11 and notes[0].text.startswith("Suit was brought")  # CAP's leading ". " dropped


# --- PDF -------------------------------------------------------------------------------------------
def _pdf(path: Path, pages: list[str]) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("helvetica", size=11)
    for text in pages:
        pdf.add_page()
        for para in text.split("\n"):
            pdf.multi_cell(0, 5, para.encode("latin-1", "replace").decode("latin-1"))
            pdf.ln(4)
    pdf.output(str(path))


def test_pdf_pages_from_sidecar(tmp_path, katz):
    i = find(katz, "I join the opinion of the Court")
    join = katz.blocks[i]
    off = join.page_breaks[0][0]
    twofold = katz.blocks[i + 1].text
    f = tmp_path / "katz-harlan.pdf"
    _pdf(f, ["MR. JUSTICE HARLAN, concurring.\n" + join.text[:off].rstrip(), join.text[off:] + "\n" + twofold])
    (tmp_path / "katz-harlan.json").write_text(json.dumps({"case_name": "Katz v. United States", "first_page": 360}))
    doc = only_doc(f)
    assert doc.format == "pdf" and doc.has_pages and doc.meta.case_name == "Katz v. United States"
    assert doc.sha256 == sha(f.read_bytes())
    breaks = [(b, o, p) for b in doc.blocks for o, p in b.page_breaks]
    assert [p for _, _, p in breaks] == [360, 361]
    b, o, _ = breaks[1]
    assert b.text[o:].startswith("and (c) that the invasion")
    assert b.text.startswith("I join the opinion of the Court")  # one paragraph across the page break
    assert any("twofold requirement" in blk.text for blk in doc.blocks)


def test_pdf_without_sidecar_numbers_pages_from_one(tmp_path, katz):
    f = tmp_path / "two.pdf"
    _pdf(f, [katz.blocks[find(katz, "MR. JUSTICE HARLAN")].text, katz.blocks[find(katz, "Finally, I do not")].text])
    doc = only_doc(f)
    assert [p for b in doc.blocks for _, p in b.page_breaks] == [1, 2]


def test_pdf_errors(tmp_path):
    from fpdf import FPDF
    from fpdf.enums import EncryptionMethod

    scanned = tmp_path / "scanned.pdf"
    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 100, 50, style="F")
    pdf.output(str(scanned))
    [err] = list(load(scanned))
    assert isinstance(err, InputError) and "no text layer (scanned?); run OCR first" in str(err)

    corrupt = tmp_path / "corrupt.pdf"
    corrupt.write_bytes(b"%PDF-1.4\n" + b"\x00garbage" * 50)
    [err] = list(load(corrupt))
    assert isinstance(err, InputError) and "corrupt.pdf" in str(err)

    locked = tmp_path / "locked.pdf"
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=11)
    pdf.multi_cell(0, 5, "The Fourth Amendment protects people, not places.")
    pdf.set_encryption(owner_password="owner", user_password="secret", encryption_method=EncryptionMethod.RC4)
    pdf.output(str(locked))
    [err] = list(load(locked))
    assert isinstance(err, InputError) and "encrypted" in str(err)


# --- registry --------------------------------------------------------------------------------------
def test_unknown_format_lists_formats(tmp_path):
    docx = tmp_path / "brief.docx"
    docx.write_bytes(b"PK\x03\x04" + bytes(range(256)) * 4)
    blob = tmp_path / "data.bin"
    blob.write_bytes(bytes(range(256)) * 8)
    for f in (docx, blob):
        with pytest.raises(UnknownFormat) as exc:
            detect(f)
        msg = str(exc.value)
        assert f.name in msg
        for name in ("scotus", "cap", "courtlistener", "csvrows", "pdf", "text"):
            assert name in msg


def test_sniff_leaves_plain_text_alone(tmp_path):
    assert detect(DATA / "pena-v-deprisco.txt").NAME == "text"
    lt = tmp_path / "notes.txt"
    lt.write_text("<< not markup, a plain note >>\n")
    assert detect(lt).NAME == "text"
    assert detect(CAP_HTML).NAME == "cap"
    assert detect(CSV_ROWS).NAME == "csvrows"


def test_mixed_folder_and_missing_path(tmp_path):
    shutil.copy(CAP_JSON / "0833-01.json", tmp_path / "0833-01.json")
    shutil.copy(CAP_JSON / "0038-01-truncated.json", tmp_path / "broken.json")
    shutil.copy(GOESAERT_DISSENT, tmp_path / "goesaert-dissent.xml")
    (tmp_path / "brief.docx").write_bytes(b"PK\x03\x04not really a docx")
    out = list(load(tmp_path))
    docs = sorted(d.source for d in out if isinstance(d, Document))
    errors = sorted(str(e) for e in out if isinstance(e, InputError))
    assert docs == sorted(str(tmp_path / n) for n in ("0833-01.json", "goesaert-dissent.xml"))
    assert len(errors) == 2
    assert "brief.docx" in errors[0] and "unknown format" in errors[0]
    assert "broken.json" in errors[1] and "malformed JSON" in errors[1]

    [err] = list(load(tmp_path / "nope.html"))
    assert isinstance(err, InputError) and "nope.html" in str(err) and "no such file" in str(err)


# --- other CourtListener markups -------------------------------------------------------------------
def test_lawbox_and_columbia_markup():
    marron = only_doc(DATA / "courtlistener" / "marron-lawbox.txt")
    assert not marron.has_pages
    notes = [b for b in marron.blocks if b.kind == "footnote"]
    assert [b.footnote for b in notes] == ["*", "1"]
    assert notes[1].text.startswith("Section 25, title 2, Act of October 28, 1919")
    marks = [lb for b in marron.blocks if b.kind != "footnote" for _, lb in b.marks]
    assert marks == ["*", "1"]
    assert not any(b.text.isdigit() for b in marron.blocks)  # lawbox paragraph numbers are dropped

    bullington = only_doc(DATA / "courtlistener" / "bullington-columbia.txt")
    assert bullington.has_pages
    pages = [(b.text[o:o + 12], p) for b in bullington.blocks for o, p in b.page_breaks]
    assert [p for _, p in pages] == [19, 20, 21] and pages[0][0].startswith("The plaintif")
    assert all("*Page" not in b.text for b in bullington.blocks)


def test_per_curiam_author_sets_part():
    from qa_bot.ingest.loaders._markup import parse_markup

    blocks, _ = parse_markup('<opinion type="majority"><author>PER CURIAM.</author><p>Affirmed.</p></opinion>'
                             '<opinion type="dissent"><author>Mr. Justice Black,</author><p>dissenting.</p>'
                             "<p>I dissent.</p></opinion>", "inline")
    assert [(b.text, b.part, b.author) for b in blocks] == [
        ("PER CURIAM.", "per curiam", None), ("Affirmed.", "per curiam", None),
        ("Mr. Justice Black, dissenting.", "dissent", "Black"), ("I dissent.", "dissent", "Black")]
