"""Bad input: one clear message naming the file (or line) and field, and the rest of the batch goes on
(issue 10, items 4 and 5). Each case below used to stop a corpus at its first bad line, leak a raw
Python error, or read a file outside the corpus folder."""

from __future__ import annotations

import json
import os

import pytest

from qa_bot.ingest import loaders
from qa_bot.library import Library

GOOD = "<p>The court held that case {i} controls the outcome of this matter entirely.</p>"


def _corpus(root, lines: list[dict | str]):
    (root / "opinions").mkdir(parents=True)
    for i in range(1, 8):
        (root / "opinions" / f"o{i}.html").write_text(GOOD.format(i=i), encoding="utf-8")
    (root / "cases.jsonl").write_text("\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n",
                                      encoding="utf-8")
    return root


def _case(cid, file, **extra) -> dict:
    return {"cluster_id": cid, "case_name": f"Case {cid} v. Other", **extra,
            "opinions": [{"opinion_type": "010combined", "file": file}]}


def _results(path) -> list[tuple[str, str]]:
    out = []
    for item in loaders.load(path):
        if isinstance(item, Exception):
            out.append(("rejected", f"{item.source}: {item.reason}"))
        else:
            out.append(("loaded", item.source))
    return out


def test_one_bad_line_does_not_drop_the_rest_of_a_corpus(tmp_path):
    root = _corpus(tmp_path / "sc", [
        _case(1, "opinions/o1.html"),
        _case(2, "opinions/o2.html", citations=1999),  # the case: lines 3-4 were never tried
        _case(3, "opinions/o3.html"),
        _case(4, 5),
        _case(5, "opinions/o5.html", year=[1]),
        '{"cluster_id": {"a": 1}}',
        "[1, 2]",
        _case(7, "opinions/o7.html"),
    ])
    got = _results(root)
    assert [s for s, _ in got] == ["loaded", "rejected", "loaded", "rejected", "rejected", "rejected", "rejected",
                                   "loaded"], got
    messages = [m for s, m in got if s == "rejected"]
    assert "line 2" in messages[0] and "field 'citations' must be a list of text, not 1999" in messages[0]
    assert "line 4" in messages[1] and "field 'file' must be text, not 5" in messages[1]
    assert "field 'year' must be a whole number" in messages[2]
    assert "line 6: field 'cluster_id'" in messages[3]
    assert "cases.jsonl#7" in messages[4] and "not a JSON object" in messages[4]
    assert all("Error:" not in m for m in messages)  # no raw Python exception text


def test_corpus_paths_must_stay_inside_the_corpus_folder(tmp_path):
    secret = tmp_path / "outside-secret.txt"
    secret.write_text("The secret settlement figure is 1,234,567 dollars.", encoding="utf-8")
    root = _corpus(tmp_path / "sc", [
        _case(1, "../outside-secret.txt"),
        _case(2, str(secret)),
        _case(3, "opinions/link.html"),
        _case(4, "opinions/o4.html"),
    ])
    os.symlink(secret, root / "opinions" / "link.html")
    got = _results(root)
    assert [s for s, _ in got] == ["rejected", "rejected", "rejected", "loaded"], got
    assert all("is outside the corpus folder; refused" in m for s, m in got if s == "rejected")
    lib = Library.open(tmp_path / "lib", create=True)
    try:
        report = lib.ingest([root], embed=False)
        assert len(report.ingested) == 1 and len(report.failed) == 3
        assert all("secret" not in h.passage.text for h in lib.search("secret settlement figure", mode="bm25"))
    finally:
        lib.close()


def _cap_json(**changes) -> dict:
    case = {"name_abbreviation": "A v. B", "decision_date": "1999-01-02",
            "casebody": {"opinions": [{"type": "majority", "text": "The court held that the matter is settled."}]}}
    case.update(changes)
    return case


@pytest.mark.parametrize("name, content, expected", [
    ("cap5.json", json.dumps(_cap_json(citations=5)), "field 'citations' must be a list of objects, not 5"),
    ("court.json", json.dumps(_cap_json(court="Second Circuit")), "field 'court' must be an object"),
    ("deep.json", '{"casebody": ' + "[" * 100_000 + "]" * 100_000 + ', "name_abbreviation": "x"}',
     "JSON nested more than 200 levels deep"),
    ("broken.json", '{"casebody": {"opinions": [}, "name_abbreviation": "x"}', "malformed JSON at line 1 column"),
])
def test_cap_json_errors_name_the_field(tmp_path, name, content, expected):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    ((status, message),) = _results(path)
    assert status == "rejected" and message.startswith(str(path)) and expected in message, message


def test_sidecar_nested_too_deeply_is_a_message(tmp_path):
    (tmp_path / "op.txt").write_text("The court held that the matter is settled.\n", encoding="utf-8")
    (tmp_path / "op.json").write_text("[" * 50_000 + "]" * 50_000, encoding="utf-8")
    ((status, message),) = _results(tmp_path / "op.txt")
    assert status == "rejected" and "op.json" in message and "sidecar metadata nested more than" in message


def test_csv_with_bad_bytes_says_how_to_fix_it(tmp_path):
    path = tmp_path / "rows.csv"
    path.write_bytes(b"case_name,opinion\nA v. B,The court held \xff\xfe that it is fine.\n")
    ((status, message),) = _results(path)
    assert status == "rejected" and message == f"{path}: not UTF-8 text (byte 0xff at offset 40); re-save it as UTF-8"


def test_pdf_with_an_unknown_stream_filter_is_a_message(tmp_path):
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="The court held that the matter is settled.")
    data = bytes(pdf.output())
    assert b"/FlateDecode" in data
    path = tmp_path / "filter.pdf"
    path.write_bytes(data.replace(b"/FlateDecode", b"/FooDecode", 1))
    ((status, message),) = _results(path)
    assert status == "rejected" and "uses a PDF feature the reader does not support (Unsupported filter /FooDecode)" \
        in message


def test_odd_file_names_are_stored_and_printed_safely(tmp_path, capsys):
    """Issue 10, item 8: a name with a byte that is not UTF-8 was rejected with UnicodeEncodeError,
    'a#b.txt' showed as 'a', and ANSI codes in a name reached the terminal."""
    from qa_bot.cli import main

    src = tmp_path / "src"
    src.mkdir()
    body = "The court held that the {} doctrine applies to this particular dispute between the parties.\n"
    names = {os.fsdecode(b"caf\xe9.txt"): "zebra", "a#b.txt": "walrus", "\x1b[31mred\x1b[0m.txt": "okapi"}
    for name, word in names.items():
        (src / name).write_text(body.format(word), encoding="utf-8")
    rc = main(["ingest", str(src), "--index", str(tmp_path / "lib"), "--no-embed", "--quiet"])
    out = capsys.readouterr().out
    assert rc == 0, out
    assert "caf\\xe9.txt: 1 passages" in out and "a#b.txt: 1 passages" in out
    assert "\x1b" not in out and "\\x1b[31mred\\x1b[0m.txt" in out
    rc = main(["search", "zebra doctrine", "--index", str(tmp_path / "lib"), "--mode", "bm25", "--quiet"])
    assert rc == 0 and "zebra" in capsys.readouterr().out
