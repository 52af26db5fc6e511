"""Crash safety (issue 10, Build 1): ``qa-bot ingest`` and ``qa-bot sync`` SIGKILLed at seeded points -
per-opinion commits, atomic-write instants, BM25 saves, embedding batches and checkpoints, manifest
switches, and at seeded random moments. After each kill: the library opens and verifies
(``qa-bot check``), the ids of the store, BM25 and the vectors agree (no index holds an id the store
lacks), and every opinion stored is searchable once indexed; then the same command run again finishes
the rest - the same library a run without a kill gives - without ingesting again an opinion already
stored nor embedding again a passage whose vector was committed.

CI runs three kills (one per phase); ``QA_BOT_LONG=1`` runs ``LONG_TRIALS`` seeded trials over every point
and seeded random moments (README "Reliability").
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from conftest import DATA, LONG

POINTS = ("commit-before", "commit-after", "replace-before", "replace-after", "bm25-save", "embed-batch",
          "vector-commit", "manifest-save")
LONG_TRIALS = 40
KIT = Path(__file__).with_name("crashkit.py")
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Path:
    """13 opinions in five formats (a CSV and a corpus folder hold several each)."""
    src = tmp_path_factory.mktemp("crash") / "src"
    src.mkdir()
    for p in ("pena-v-deprisco.txt", "pena-v-deprisco.json", "cap/json/0456-01.json", "cap/json/0833-01.json",
              "courtlistener/marron-lawbox.txt", "courtlistener/bullington-columbia.txt", "csv/multicourt-rows.csv"):
        shutil.copy(DATA / p, src / Path(p).name)
    shutil.copytree(DATA / "scotus-subset", src / "scotus")
    return src


def _run(args: list[str], point: str = "none", n: int = 0, counts: Path | None = None,
         kill_after: float | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, str(KIT), point, str(n), str(counts or os.devnull), "--", *args, "--quiet"]
    if kill_after is None:
        return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=1800)
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    time.sleep(kill_after)
    if p.poll() is None:
        p.send_signal(signal.SIGKILL)
    out, err = p.communicate(timeout=1800)
    return subprocess.CompletedProcess(cmd, p.returncode, out, err)


def _finished(r: subprocess.CompletedProcess) -> bool:
    """Ran to its end: 0, or 1 when the source's one deliberately broken corpus line was rejected."""
    return r.returncode in (0, 1) and "Traceback" not in r.stderr


def _state(lib: Path) -> dict:
    """Store opinion ids and passage ids; BM25 and vector ids; what check says."""
    from qa_bot.index import manifest as mf
    from qa_bot.index.check import check
    from qa_bot.ingest.store import DB_NAME, Store

    if not (lib / DB_NAME).exists():
        return {"opinions": set(), "passages": set(), "bm25": set(), "vectors": set(), "problems": []}
    problems, _ = check(lib)
    with Store(lib) as st:
        opinions = {oid for oid, _, _ in st.opinions()}
        passages = set(st.passage_ids())
    m = mf.load(lib)
    ids = {k: set(mf.expand((m[k] or {}).get("ids", [])).tolist()) for k in ("lexical", "vectors")}
    return {"opinions": opinions, "passages": passages, "bm25": ids["lexical"], "vectors": ids["vectors"],
            "problems": problems}


@pytest.fixture(scope="module")
def reference(source, tmp_path_factory):
    """The library a run without a kill gives."""
    lib = tmp_path_factory.mktemp("ref") / "lib"
    r = _run(["ingest", str(source), "--index", str(lib)])
    assert _finished(r), r.stderr[-2000:]
    st = _state(lib)
    assert len(st["opinions"]) >= 10 and st["passages"] == st["bm25"] == st["vectors"] and not st["problems"]
    return st


def _trials():
    """CI: one kill in each phase. Long form: ``LONG_TRIALS`` seeded trials, two in three at a named point
    the command passes (which, and which of its passes, drawn from how often a clean run passes each:
    ``census``), one in three at a seeded random moment within a clean run's time."""
    if not LONG:  # one kill in each phase: per-opinion commits, the BM25 save's rename, a checkpoint of a sync
        return [pytest.param("ingest", "commit-after", 3, None, id="ingest-commit-after-3"),
                pytest.param("ingest", "replace-before", 1, None, id="ingest-replace-before-1"),
                pytest.param("sync", "vector-commit", 2, None, id="sync-vector-commit-2")]
    rng = random.Random(10)
    out = []
    for i in range(LONG_TRIALS):
        command = "ingest" if i % 4 else "sync"
        kind = "time" if i % 3 == 2 else "point"  # a named point, or a seeded random moment
        out.append(pytest.param(command, kind, rng.random(), rng.uniform(0.05, 0.95), id=f"{i}-{command}-{kind}"))
    return out


@pytest.fixture(scope="module")
def census(source, tmp_path_factory) -> dict:
    """How often a run without a kill passes each point, per command."""
    import json

    out = {}
    for command in ("ingest", "sync"):
        work = tmp_path_factory.mktemp("census")
        lib, counts = work / "lib", work / "counts.json"
        args = ["ingest", str(source), "--index", str(lib)]
        if command == "sync":
            assert _finished(_run(args + ["--no-embed"]))
            args = ["sync", "--index", str(lib)]
        t = time.monotonic()
        assert _finished(_run(args, "census", 0, counts))
        out[command] = {**json.loads(counts.read_text()), "seconds": time.monotonic() - t}
    return out


@pytest.mark.parametrize("command, point, n, seconds", _trials())
def test_a_kill_loses_nothing_and_the_rerun_finishes_the_rest(request, source, reference, tmp_path, command, point,
                                                              n, seconds):
    if LONG:  # a point the command passes and one of its passes, or a moment within a clean run's time
        census = request.getfixturevalue("census")[command]
        if point == "time":
            seconds, n = seconds * census["seconds"], 0
        else:
            passed = sorted(p for p in POINTS if census.get(p))
            point = passed[int(n * len(passed))]
            n, seconds = 1 + int(seconds * census[point]), None
        print(f"\n{command}: kill at {point} #{n}" if point != "time" else f"\n{command}: kill after {seconds:.1f} s")
    lib = tmp_path / "lib"
    if command == "sync":  # a library stored and BM25-indexed, its vectors to be filled by the sync
        r = _run(["ingest", str(source), "--index", str(lib), "--no-embed"])
        assert _finished(r), r.stderr[-2000:]
        args = ["sync", "--index", str(lib)]
    else:
        args = ["ingest", str(source), "--index", str(lib)]
    killed = _run(args, point, n, kill_after=seconds)

    st = _state(lib)
    assert not st["problems"], st["problems"]  # the library opens and verifies
    assert st["bm25"] <= st["passages"] and st["vectors"] <= st["passages"]  # no index holds a phantom id
    assert st["opinions"] <= reference["opinions"]
    if _finished(killed):
        pytest.skip(f"the run ended before {point} #{n}")  # (the long form's random moments can come late)

    counts = tmp_path / "embedded.txt"
    again = _run(args, counts=counts)
    assert _finished(again), again.stderr[-2000:]
    after = _state(lib)
    assert after["opinions"] == reference["opinions"] and not after["problems"]
    assert after["passages"] == after["bm25"] == after["vectors"]
    assert len(after["passages"]) == len(reference["passages"])
    if command == "ingest":  # opinions stored before the kill are not ingested again
        redone = [line for line in again.stdout.splitlines() if line.startswith("ingested")]
        assert len(redone) == len(reference["opinions"] - st["opinions"]), (redone, st["opinions"])
    embedded = sum(int(x) for x in counts.read_text().split()) if counts.exists() else 0
    assert embedded == len(after["passages"] - st["vectors"])  # committed vectors are not embedded again

    from qa_bot.library import Library

    with Library.open(lib) as library:  # every stored opinion is searchable
        for oid in after["opinions"]:
            op = library.opinion(oid)
            words = " ".join(op.text.split()[:12])
            hits = library.search(words, mode="bm25", k=5, case=None)
            assert any(h.passage.opinion_id == oid for h in hits), (oid, words)
    assert np.all(np.isin(sorted(after["vectors"]), sorted(after["passages"])))
