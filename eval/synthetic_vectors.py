"""SYNTHETIC passage vectors for a library stored and BM25-indexed without them (benchmarks only).

    .venv/bin/python eval/synthetic_vectors.py --index scotus [--from demo] [--seed 0]

Embedding the whole Supreme Court corpus (~122,700 passages) takes about an hour of CPU on two cores; to
time dense and hybrid search and ``ask`` at that size, each stored passage gets instead a vector drawn
from ``--from``'s real passage vectors plus Gaussian noise, renormalised (``bench_all._synthetic``, the
``ann`` section's recipe; deterministic for a seed and the library's passage ids). They are written the
way a sync writes vectors (``sync.save_vectors``: a new generation file, then the manifest), with the
embedding entry of ``--from``'s vectors, so the real model embeds each question. They are NOT embeddings
of the passages: dense and hybrid rankings over them mean nothing, only their cost does. The manifest
records ``"synthetic"`` and ``qa-bot info``, the chat's status line and bench_all's report say so;
``qa-bot sync --rebuild`` replaces them with real vectors. A library with real vectors is refused.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_all import BenchError, _synthetic, open_library  # noqa: E402  (eval/ is not a package)


def write(index: str, source: str, seed: int = 0) -> dict:
    from qa_bot.index import manifest as mf
    from qa_bot.index.sync import save_vectors
    from qa_bot.index.vectors import Vectors
    from qa_bot.index.writer import writer_lock

    with open_library(source, "--from") as src:
        recorded = mf.load(src.folder)
    if not recorded["vectors"]:
        raise BenchError(f"--from {source}: no vectors to draw synthetic vectors from (run qa-bot sync --index {source})")
    with open_library(index) as lib, writer_lock(lib.folder):
        m = mf.load(lib.folder)
        mf.check_store(lib.folder, m, lib.store)
        if m["vectors"] and not m.get("synthetic"):
            raise BenchError(f"--index {index}: the library already has {m['vectors']['count']:,} real vectors; "
                             "synthetic ones go only into a library stored without vectors (qa-bot ingest --no-embed)")
        if not m["lexical"]:
            raise BenchError(f"--index {index}: no BM25 index yet (run qa-bot sync --no-embed --index {index})")
        ids = sorted(lib.store.passage_ids())
        xb, _ = _synthetic(source, len(ids), 0, seed, "--from")
        vec = Vectors(xb.shape[1], lib.settings.index)
        vec.add(ids, xb)
        m["embedding"] = recorded["embedding"]  # the model that embeds questions: the one --from's vectors came from
        m["synthetic"] = {"from": str(src.folder), "seed": seed, "noise_sd": 0.035,
                          "note": "benchmark vectors, not embeddings of these passages: dense and hybrid rankings "
                                  "are meaningless; qa-bot sync --rebuild embeds real ones"}
        save_vectors(lib.folder, m, vec)
        return {"library": str(lib.folder), "vectors": len(vec), "kind": vec.kind, "dim": vec.dim}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", required=True, help="the library to give synthetic vectors (stored without vectors)")
    ap.add_argument("--from", dest="source", default="demo", help="a library with real vectors to draw from")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    try:
        out = write(args.index, args.source, args.seed)
    except BenchError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(f"{out['library']}: {out['vectors']:,} SYNTHETIC {out['dim']}-d vectors ({out['kind']} index) "
          f"drawn from {args.source}'s vectors, seed {args.seed}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
