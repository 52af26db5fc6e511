"""Library management: the caches a library keeps for its answers, removing opinions and correcting
their metadata (``Library.remove`` / ``Library.edit``, ``qa-bot remove`` / ``qa-bot edit``)."""

from __future__ import annotations

import shutil

import pytest
from conftest import DATA

from qa_bot.library import Library

SMITH = """Smith v. Jones, 123 F.4th 456 (9th Cir. 2023)
The question presented is whether a municipal ordinance that bars sleeping in parked vehicles violates the Fourth Amendment.
We hold that the ordinance does not violate the Fourth Amendment, because it regulates conduct in public places and authorizes no search or seizure.
The judgment of the district court is affirmed.
"""


@pytest.fixture
def pena(tmp_path):
    """A real library holding Pena v. DePrisco (BM25 only: these tests search with mode='bm25')."""
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pena-v-deprisco.txt", "pena-v-deprisco.json"):
        shutil.copy(DATA / name, src / name)
    (src / "smith.txt").write_text(SMITH, encoding="utf-8")
    lib = Library.open(tmp_path / "lib", create=True)
    report = lib.ingest([src / "pena-v-deprisco.txt"], embed=False)
    assert len(report.ingested) == 1
    yield lib, src
    lib.close()


def ask(lib, question: str):
    return lib.ask(question, mode="bm25")


def test_answer_caches_live_in_the_librarys_one_cache_and_writes_clear_it(pena):
    lib, src = pena
    assert not ask(lib, "Were the officers in Pena v. DePrisco entitled to qualified immunity?").abstained
    assert {"answer.case_names", "answer.idf"} <= set(lib.cache._values)
    assert not [a for a in vars(lib) if a.startswith("_answer")]  # not attributes set on the library
    cleared = lib.cache.cleared
    lib.ingest([src / "smith.txt"], embed=False)
    assert lib.cache.cleared == cleared + 1 and "answer.case_names" not in lib.cache
    answer = ask(lib, "In Smith v. Jones, does the ordinance violate the Fourth Amendment?")
    assert not answer.abstained and answer.citations[0].full.startswith("Smith v. Jones, 123 F.4th 456")
    lib.sync(embed=False)
    assert lib.cache.cleared == cleared + 2
