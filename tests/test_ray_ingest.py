"""Distributed ingest on a local Ray instance (2 CPUs) into Milvus Lite, over 36 real opinions
(tests/data/ray, see tests/data/SOURCE.md): the same passages as the local pipeline, every one embedded by
the real model, resumable after an interruption without duplicates, another model's collection refused."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("pymilvus", reason="the Milvus backend needs pymilvus: pip install -e '.[scale]'")
pytest.importorskip("milvus_lite", reason="Milvus Lite (the embedded engine the tests use) is not installed")
ray = pytest.importorskip("ray", reason="Ray is not installed: pip install -e '.[scale]'")
pytest.importorskip("ray.data", reason="Ray Data is not installed: pip install 'ray[data]'")

from qa_bot import cli  # noqa: E402
from qa_bot.backends import milvus as mv  # noqa: E402
from qa_bot.backends.base import Filters  # noqa: E402
from qa_bot.retrieve.local import LocalBackend  # noqa: E402
from qa_bot.backends.uri import parse  # noqa: E402
from qa_bot.errors import IndexMismatch, QaBotError  # noqa: E402
from qa_bot.index.embed import Embedder, FakeEmbedder  # noqa: E402
from qa_bot.ingest.pipeline import ingest  # noqa: E402
from qa_bot.scale import ray_ingest as ri  # noqa: E402
from qa_bot.settings import Settings  # noqa: E402

FILES = sorted((Path(__file__).parent / "data" / "ray").glob("*.csv"))


@pytest.fixture(scope="module")
def ray_local():
    ri.start_ray(num_cpus=2)  # tried again if the head does not come up (see start_ray)
    yield
    ray.shutdown()


@pytest.fixture(scope="module")
def local_counts(tmp_path_factory):
    local = LocalBackend(tmp_path_factory.mktemp("local") / "lib")
    report = ingest(local.store, FILES)
    keys = sorted((p.opinion_id, p.ordinal, p.text) for p in local.store.passages())
    local.close()
    return report, keys


def test_ray_start_is_tried_again_when_the_head_does_not_come_up(monkeypatch):
    calls = []

    def init(**kw):
        calls.append(kw)
        starts = sum(c != "shutdown" for c in calls)
        if starts == 1:  # Ray's raylet deadline is a bare Exception (a clean-clone CI run, 2026-12-03)
            raise Exception("The current node timed out during startup.")
        if starts == 2:  # the third start comes up
            raise RuntimeError("Timed out waiting for file .../gcs_server_port_...")

    monkeypatch.setattr(ray, "init", init)
    monkeypatch.setattr(ray, "shutdown", lambda: calls.append("shutdown"))
    ri.start_ray(num_cpus=2)
    assert [c for c in calls if c == "shutdown"] == ["shutdown", "shutdown"] and calls[-1]["num_cpus"] == 2
    calls.clear()
    monkeypatch.setattr(ray, "init", lambda **kw: (_ for _ in ()).throw(RuntimeError("no gcs")))
    with pytest.raises(QaBotError, match=r"could not start a local Ray instance \(3 tries\): no gcs"):
        ri.start_ray(num_cpus=2)


def test_ray_ingest_matches_the_local_pipeline_and_resumes(ray_local, local_counts, tmp_path, monkeypatch):
    assert len(FILES) == 6
    local_report, local_keys = local_counts
    assert len(local_report.ingested) >= 30
    lib = mv.MilvusBackend(parse(f"milvus-lite://{tmp_path / 'ray.db'}"))
    # interrupted: the driver dies after writing its first batch of opinions
    real_write, calls = ri._write, []

    def die_after_first(*a, **kw):
        if calls:
            raise KeyboardInterrupt
        calls.append(1)
        return real_write(*a, **kw)

    monkeypatch.setattr(ri, "_write", die_after_first)
    with pytest.raises(KeyboardInterrupt):
        ri.ray_ingest(FILES, lib, write_batch=4, batch_opinions=4)
    first = lib.stats()["opinions"]
    assert 0 < first < len(local_report.ingested)
    monkeypatch.setattr(ri, "_write", real_write)
    # resumed with as many actors as Ray has CPUs: the actors leave the parse tasks a share
    report = ri.ray_ingest(FILES, lib, write_batch=4, batch_opinions=4, actors=2)
    assert report.skipped_seen == first and report.ingested == len(local_report.ingested) - first
    assert sorted(report.rejected) == sorted((r.source, r.detail) for r in local_report.failed)
    keys = sorted((p.opinion_id, p.ordinal, p.text) for p in lib.passages())
    assert keys == local_keys  # same passages, none twice
    status = lib.status()
    assert status["vectors"] == status["passages"] == len(local_keys)  # every passage embedded
    emb = Embedder(Settings.preset().embed)
    # the vectors are the model's: a passage's own text finds it first
    p = lib.passages()[7]
    hits, _ = lib.candidates(p.text, 3, "dense", Filters(), emb, 10, {"bm25": 1.0, "dense": 1.0})
    assert hits[0][0] == p.id and hits[0][1] > 0.99
    again = ri.ray_ingest(FILES, lib)
    assert again.ingested == 0 and again.skipped_seen == len(local_report.ingested)
    with pytest.raises(IndexMismatch, match="fake-hash-64"):
        ri.ray_ingest(FILES, lib, embedder=FakeEmbedder())
    lib.close()


def test_cpu_shares_leave_the_parse_tasks_a_cpu():
    for cpus in (1.0, 2.0, 3.0, 8.0, 64.0):
        for actors in (1, 2, 3, 8, 64):
            actor, parse = ri.cpu_shares(cpus, actors)
            assert 0 < actor <= 1 and 0 < parse <= 1
            assert actors * actor + parse <= cpus + 1e-9  # everything can run at once
    assert ri.cpu_shares(2.0, 1) == (1.0, 1.0) and ri.cpu_shares(2.0, 2) == (0.5, 1.0)
    assert ri.cpu_shares(16.0, 8) == (1.0, 1.0)


def test_engine_ray_needs_a_milvus_index(capsys, tmp_path):
    code = cli.main(["ingest", str(FILES[0]), "--index", str(tmp_path / "lib"), "--engine", "ray"])
    assert code == 2 and "milvus" in capsys.readouterr().err
