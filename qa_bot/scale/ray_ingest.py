"""Distributed ingest with Ray Data: parse and chunk in parallel tasks, embed in an actor pool, write
passages + vectors to a Milvus library in batches, resumable by content hash.

    qa-bot ingest CORPUS/ --index milvus://host:19530/uscases --engine ray [--ray-address auto]

The stages, as Ray Data operators:

1. ``from_items(files)`` -> ``flat_map(_parse)``: each task loads one file (a CSV or a corpus folder
   yields many opinions), structures and chunks every opinion, and emits one row per opinion (pickled
   ``Opinion`` + ``Passage``s, its near-duplicate sketch and richness) or one row per bad file / entry
   (its reason). Opinions whose content hash the library already holds are dropped here: that is
   what makes a re-run after an interruption resume where it stopped.
2. ``map_batches(_Embed, concurrency=actors, batch_size=...)``: an actor pool, one model per actor,
   embeds the passages of ``batch_size`` opinions per call (sentence-transformers batches them by
   ``EmbedSettings.batch_size`` inside).
3. The driver streams the embedded rows (``iter_batches``) and writes them to Milvus in batches: the
   passages with their vectors, the opinion records, then each opinion's ``file`` record last, so an
   interruption at any point leaves nothing that a re-run duplicates (``MilvusBackend.add_opinions``
   deletes an opinion's leftovers before writing it). The driver is the one writer (Milvus Lite allows
   one process per file; a cluster takes several writers but the BM25 document frequencies are a
   read-modify-write).

What the local pipeline does that this does not: a file whose source path was ingested before with
other bytes is not replaced (the content hash is new, so it is added as a new opinion unless its
opinion id or its text matches one already stored: then the near-duplicate rule keeps the richer one,
as locally).
"""

from __future__ import annotations

import pickle
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterable, Sequence

import numpy as np

from ..errors import InputError, QaBotError
from ..settings import Settings

Progress = Callable[[str, int, int], None]


@dataclass
class RayIngestReport:
    ingested: int = 0
    passages: int = 0
    duplicates: int = 0
    skipped_seen: int = 0
    rejected: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> str:
        rate = self.passages / self.seconds if self.seconds else 0.0
        return (f"{self.ingested} ingested ({self.passages} passages, {rate:.1f} passages/s), "
                f"{self.duplicates} duplicate(s), {self.skipped_seen} already in the library, "
                f"{len(self.rejected)} rejected")


def _parse(row: dict, settings: Settings, seen: frozenset[str]) -> list[dict]:
    """One file -> one row per opinion (or per bad entry). Runs in a Ray task."""
    from ..ingest import chunk as chunking
    from ..ingest import loaders, structure
    from ..ingest.pipeline import _key, richness, sketch

    path = Path(row["path"])
    out = []
    try:
        items = list(loaders.load(path))
    except QaBotError as e:
        return [{"key": "", "source": str(path), "error": str(e), "blob": b""}]
    except Exception as e:  # noqa: BLE001 - a loader bug must not stop the job
        return [{"key": "", "source": str(path), "error": f"could not be loaded ({type(e).__name__}: {e})", "blob": b""}]
    for doc in items:
        if isinstance(doc, InputError):
            out.append({"key": "", "source": doc.source, "error": doc.reason, "blob": b""})
            continue
        key = _key(doc)
        if key in seen:
            out.append({"key": key, "source": doc.source, "error": "", "blob": b"", "seen": True})
            continue
        try:
            if not any(b.text.strip() for b in doc.blocks):
                raise InputError(doc.source, "no opinion text found in it")
            op = structure.build(doc)
            if not op.id:
                op = replace(op, id=key[:16])
            passages = chunking.chunk(op, settings.chunk)
            if not op.text.strip() or not passages:
                raise InputError(doc.source, "no opinion text found in it")
            blob = pickle.dumps((op, passages, sorted(sketch(op.text)), richness(op)))
            out.append({"key": key, "source": doc.source, "error": "", "blob": blob})
        except QaBotError as e:
            out.append({"key": "", "source": doc.source, "error": getattr(e, "reason", str(e)), "blob": b""})
        except Exception as e:  # noqa: BLE001
            out.append({"key": "", "source": doc.source, "error": f"could not be processed ({type(e).__name__}: {e})",
                        "blob": b""})
    if not out:
        out.append({"key": "", "source": str(path), "error": "no opinion found in it", "blob": b""})
    return out


class _Embed:
    """Ray actor: one embedding model, reused for every batch this actor gets."""

    def __init__(self, embed_settings):
        from ..index.embed import Embedder

        self.embedder = Embedder(embed_settings)

    def __call__(self, batch: dict) -> dict:
        blobs = list(batch["blob"])
        texts, spans = [], []
        for b in blobs:
            if not len(b):
                spans.append((len(texts), len(texts)))
                continue
            _, passages, _, _ = pickle.loads(b)
            spans.append((len(texts), len(texts) + len(passages)))
            texts += [p.text for p in passages]
        vecs = self.embedder.encode_documents(texts) if texts else np.zeros((0, 1), dtype=np.float32)
        batch["vectors"] = np.array([pickle.dumps(np.asarray(vecs[a:b], dtype=np.float32)) for a, b in spans],
                                    dtype=object)
        return batch


def cpu_shares(cpus: float, actors: int) -> tuple[float, float]:
    """CPUs each embedding actor and each parse task asks Ray for. An actor holds its share for the
    whole job, so the actors together leave at least one CPU (half the cluster's, on one CPU) to the
    parse tasks: with ``actors`` whole CPUs on a cluster of as many CPUs, no parse task could start
    and the job would wait for ever (``--actors 2`` on ``ray.init(num_cpus=2)`` did)."""
    actor_cpus = min(1.0, max(cpus - 1.0, cpus / 2) / actors)
    return actor_cpus, max(0.01, min(1.0, cpus - actors * actor_cpus))


START_ATTEMPTS, START_WAIT_S = 3, 120


def start_ray(address: str | None = None, num_cpus: int | None = None, attempts: int = START_ATTEMPTS) -> None:
    """``ray.init``, tried again when the head's processes do not come up. Seen here: a GCS server that
    never started (no log, no port file) when Ray forked it while this process's Milvus client had gRPC
    threads running, and a raylet that missed its start-up deadline (a bare ``Exception`` from Ray, whose
    30 s raylet wait cannot be set); a second start came up at once. Each attempt waits ``START_WAIT_S`` for the GCS port (Ray's default is 30 s, too
    short for a busy 2-core machine; ``RAY_gcs_server_port_wait_time_s`` set by the user wins)."""
    import os

    import ray

    os.environ.setdefault("RAY_gcs_server_port_wait_time_s", str(START_WAIT_S))
    for attempt in range(1, attempts + 1):
        try:
            ray.init(address=address, num_cpus=num_cpus, include_dashboard=False, log_to_driver=False,
                     ignore_reinit_error=True)
            return
        except Exception as e:  # noqa: BLE001 - Ray raises a bare Exception when a raylet misses its 30 s start
            # deadline ("The current node timed out during startup"), seen in a clean-clone CI run
            ray.shutdown()
            if attempt == attempts:
                where = f"the Ray cluster at {address}" if address else "a local Ray instance"
                raise QaBotError(f"could not start {where} ({attempts} tries): {e}; check `ray status` and the "
                                 "logs under /tmp/ray/session_latest/logs") from e


def ray_ingest(paths: Iterable[str | Path], lib, settings: Settings | None = None, *, actors: int = 1,
               batch_opinions: int = 8, write_batch: int = 16, num_cpus: int | None = None,
               address: str | None = None, progress: Progress | None = None, embedder=None) -> RayIngestReport:
    """Ingest ``paths`` into the Milvus library ``lib`` (a ``MilvusBackend``) with Ray Data."""
    import ray

    from ..backends.milvus import check_embedding
    from ..index import manifest as mf
    from ..index.embed import Embedder
    from ..ingest import loaders
    from ..ingest.pipeline import _near_duplicate

    settings = settings or Settings.preset()
    t0 = time.perf_counter()
    report = RayIngestReport()
    emb = embedder or Embedder(settings.embed)
    recorded = lib.meta().get("embedding")
    if recorded:
        check_embedding(lib.uri, recorded, emb)  # refuse before any work: another model's collection
    if lib._dim is None:
        lib._dim = lambda: emb.dim
    files = []
    for f in loaders.iter_files([str(p) for p in paths]):
        if isinstance(f, InputError):
            report.rejected.append((f.source, f.reason))
        else:
            files.append({"path": str(f)})
    if not files:
        report.seconds = time.perf_counter() - t0
        return report
    seen = frozenset(_all_file_keys(lib))
    started_here = not ray.is_initialized()
    if started_here:
        start_ray(address, num_cpus)
    try:
        ctx = ray.data.DataContext.get_current()
        ctx.enable_progress_bars = False
        ds = ray.data.from_items(files, override_num_blocks=min(len(files), 64))
        actor_cpus, parse_cpus = cpu_shares(ray.cluster_resources().get("CPU", 1.0), actors)
        ds = ds.flat_map(_parse, fn_kwargs={"settings": settings, "seen": seen}, num_cpus=parse_cpus)
        ds = ds.map_batches(_Embed, fn_constructor_kwargs={"embed_settings": settings.embed}, concurrency=actors,
                            num_cpus=actor_cpus, batch_size=batch_opinions, batch_format="numpy")
        pending: list[tuple] = []
        done = 0
        for batch in ds.iter_batches(batch_size=write_batch, batch_format="numpy"):
            for key, source, error, blob, vec in zip(batch["key"], batch["source"], batch["error"], batch["blob"],
                                                     batch["vectors"]):
                if error:
                    report.rejected.append((str(source), str(error)))
                elif not len(blob):
                    report.skipped_seen += 1
                else:
                    op, passages, sk, rich = pickle.loads(blob)
                    pending.append((str(key), str(source), op, passages, sk, rich, pickle.loads(vec)))
            if len(pending) >= write_batch:
                done += _write(lib, pending, report, _near_duplicate)
                pending = []
                if progress:
                    progress("ingest", done, max(done, report.ingested + report.duplicates))
        if pending:
            done += _write(lib, pending, report, _near_duplicate)
        if not lib.meta().get("embedding"):
            lib._put_meta({**lib.meta(), "embedding": mf.embedding_entry(emb)})
    finally:
        if started_here:
            ray.shutdown()
    lib.sync(embedder=None, embed=False)  # BM25 weights if the mean passage length drifted
    report.seconds = time.perf_counter() - t0
    return report


def _write(lib, rows: Sequence[tuple], report: RayIngestReport, near_duplicate) -> int:
    """Write one batch: the near-duplicate rule per opinion, then passages + vectors, then file records."""
    items, vectors, files = [], [], []
    for key, source, op, passages, sk, rich, vecs in rows:
        if lib.seen(key) is not None:
            report.skipped_seen += 1
            continue
        other = near_duplicate(lib, set(sk), op)
        if other is None and lib.has_opinion(op.id):
            other = op.id
        if other is not None and other not in {o.id for o, *_ in items} and lib.richness(other) >= rich:
            lib.record_duplicate(source, key, other, "near-duplicate")
            lib.record_file(key, source, "duplicate", other)
            report.duplicates += 1
            continue
        if other is not None and other != op.id:
            old = lib.opinion_summary(other)
            lib.remove_opinion(other)
            if old:
                lib.record_duplicate(old["source"], old["sha256"], op.id, "near-duplicate (replaced by a richer version)")
            lib.repoint_files(other, op.id)
            report.duplicates += 1
        items.append((op, passages, rich, sk))
        vectors.append(vecs)
        files.append((key, source, op.id))
        report.ingested += 1
        report.passages += len(passages)
    if items:
        lib.add_opinions(items, vectors)
    for key, source, oid in files:  # last: an opinion counts as ingested only once all of it is written
        lib.record_file(key, source, "ingested", oid)
    return len(items)


def _all_file_keys(lib) -> list[str]:
    from ..backends.milvus import _query_all

    return [r["key"][5:] for r in _query_all(lib.client, lib.docs_name, 'kind == "file"', ["key"])]
