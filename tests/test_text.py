"""The shared text rules (qa_bot/text.py) and that every stage uses them: one normaliser, one stop-word
list, one UTF-8 decoder."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from qa_bot.errors import InputError
from qa_bot.evaluation.evalset import EvalSetError, load_set
from qa_bot.evaluation.metrics import content_words
from qa_bot.index.lexical import tokenize
from qa_bot.ingest.loaders import load
from qa_bot.ingest.pipeline import words
from qa_bot.text import decode_utf8, fold, normalize, stopwords

PACKAGE = Path(__file__).resolve().parent.parent / "qa_bot"
CP1252 = "Caf\u00e9 owners \u201cpromised\u201d to pay.".encode("cp1252")


def test_fold_and_normalize_build_on_each_other():
    text = "ＦＢＩ agents\u00a0found the \ufb01le \u2014 \u201cGrey\u2019s\u201d"
    assert fold(text) == "fbi agents found the file \u2014 \u201cgrey\u2019s\u201d"
    assert normalize(text) == "fbi agents found the file - \"grey's\""
    assert normalize(normalize(text)) == normalize(text)


def test_one_stop_word_list_for_the_index_and_the_judge():
    stop = stopwords()
    assert {"the", "of", "and", "not"} <= stop and "court" not in stop
    for w in sorted(stop):
        assert tokenize(w) == [] and content_words(w) == [], w
    assert tokenize("the officers were there") == ["offic", "were"] and content_words("the officers were") == [
        "officers", "were"]


def test_decode_utf8_names_the_file_and_the_byte():
    assert decode_utf8("\ufeffPena".encode("utf-8"), "a.txt") == "Pena"  # BOM dropped
    with pytest.raises(InputError, match=r"^a\.txt: not UTF-8 text \(byte 0xe9 at offset 3\); re-save it as UTF-8"):
        decode_utf8(CP1252, "a.txt")
    with pytest.raises(InputError, match=r"^b\.html: binary file, not text$"):
        decode_utf8(b"<p>\x00</p>", "b.html")


def test_text_markup_and_eval_files_report_bad_bytes_alike(tmp_path):
    reasons = []
    for name in ("op.txt", "op.html"):
        (tmp_path / name).write_bytes(CP1252 if name.endswith(".txt") else b"<p>" + CP1252 + b"</p>")
        (err,) = list(load(tmp_path / name))
        assert isinstance(err, InputError)
        reasons.append(err.reason.split(" (byte")[0])
    bad_set = tmp_path / "set.jsonl"
    bad_set.write_bytes(b'{"id": "' + CP1252 + b'"}\n')
    with pytest.raises(EvalSetError) as e:
        load_set(bad_set)
    assert reasons == ["not UTF-8 text", "not UTF-8 text"] and "0: not UTF-8 text (byte 0x" in str(e.value)


def test_near_duplicate_words_use_the_shared_fold():
    assert words("ＦＢＩ Agents found") == words("fbi agents found")


def _calls(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            args = [a.value for a in node.args if isinstance(a, ast.Constant)]
            yield node.func.attr, args


@pytest.mark.parametrize("path", sorted(p for p in PACKAGE.rglob("*.py") if p.name != "text.py"),
                         ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_has_its_own_normaliser_or_decoder(path):
    calls = list(_calls(ast.parse(path.read_text(encoding="utf-8"))))
    assert ("normalize", ["NFKC"]) not in [(f, a[:1]) for f, a in calls], "use qa_bot.text.nfkc / fold / normalize"
    assert ("decode", ["utf-8-sig"]) not in [(f, a[:1]) for f, a in calls], "use qa_bot.text.decode_utf8"
    source = path.read_text(encoding="utf-8")
    assert "STOPWORDS" not in source and "stopwords import" not in source, "use qa_bot.text.stopwords"
