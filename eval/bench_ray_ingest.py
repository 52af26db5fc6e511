"""Ray ingest against the local pipeline, side by side in one run, on the same files.

Three ways of turning the same opinion files into a searchable library with vectors (the same embedding
model, default all-MiniLM-L6-v2, on this machine's CPUs):

  local   qa-bot's own pipeline into a SQLite + bm25s + FAISS folder (ingest, then sync: what
          ``qa-bot ingest PATH --index NAME`` does)
  milvus  the same pipeline into a Milvus Lite library (``--index milvus-lite:///...``)
  ray     ``qa-bot ingest PATH --index milvus-lite:///... --engine ray``: Ray Data tasks parse and chunk,
          an actor pool embeds, the driver writes to Milvus Lite (local Ray, --num-cpus CPUs)

Prints wall time and passages/s of each, and the ratios. On a 2-core machine Ray cannot win much: its
worth is that the same job runs unchanged on a cluster (``--ray-address``), where the actor pool spreads
over GPUs or many CPUs.

    nice -n 10 .venv/bin/python eval/bench_ray_ingest.py qa_bot/demo/scotus --limit 12 --json eval/reports/ray_ingest.json
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("paths", nargs="+")
    ap.add_argument("--num-cpus", type=int, default=2)
    ap.add_argument("--actors", default="1",
                    help="embedding actors; a comma-separated list runs the Ray job once per value (e.g. 1,2)")
    ap.add_argument("--batch-opinions", type=int, default=8)
    ap.add_argument("--no-milvus", action="store_true",
                    help="skip the local pipeline into Milvus Lite (the local and Ray runs only)")
    ap.add_argument("--json", default="")
    args = ap.parse_args()

    from qa_bot.backends import milvus as mv
    from qa_bot.retrieve.local import LocalBackend
    from qa_bot.backends.uri import parse
    from qa_bot.index.embed import Embedder
    from qa_bot.ingest.pipeline import ingest
    from qa_bot.scale.ray_ingest import ray_ingest
    from qa_bot.settings import Settings

    settings = Settings.preset()
    emb = Embedder(settings.embed)
    emb.encode_documents(["warm the model up"])  # model load is not part of any run below
    work = Path(tempfile.mkdtemp(prefix="qa-bot-ray-bench-"))
    out: dict = {"paths": args.paths, "load_before": os.getloadavg()}
    try:
        t = time.perf_counter()
        local = LocalBackend(work / "local")
        rep = ingest(local.store, args.paths, settings)
        local.sync(emb)
        dt = time.perf_counter() - t
        n = local.store.stats()["passages"]
        out["local"] = {"seconds": round(dt, 1), "passages": n, "passages_per_s": round(n / dt, 2),
                        "opinions": len(rep.ingested), "load_after": os.getloadavg()[0]}
        local.close()
        print(f"local   {n} passages in {dt:.1f} s = {n / dt:.1f} passages/s", flush=True)

        if not args.no_milvus:
            t = time.perf_counter()
            lib = mv.MilvusBackend(parse(f"milvus-lite://{work / 'seq.db'}"), dim=emb.dim)
            rep = ingest(lib, args.paths, settings)
            lib.sync(emb)
            dt = time.perf_counter() - t
            n = lib.stats()["passages"]
            out["milvus"] = {"seconds": round(dt, 1), "passages": n, "passages_per_s": round(n / dt, 2),
                             "opinions": len(rep.ingested), "load_after": os.getloadavg()[0]}
            lib.close()
            print(f"milvus  {n} passages in {dt:.1f} s = {n / dt:.1f} passages/s", flush=True)
            out["ratio_milvus_over_local"] = round(out["milvus"]["passages_per_s"] / out["local"]["passages_per_s"], 2)

        for actors in [int(a) for a in str(args.actors).split(",")]:
            key = "ray" if actors == 1 else f"ray_actors{actors}"
            t = time.perf_counter()
            lib = mv.MilvusBackend(parse(f"milvus-lite://{work / f'ray{actors}.db'}"), dim=emb.dim)
            rr = ray_ingest(args.paths, lib, settings, num_cpus=args.num_cpus, actors=actors,
                            batch_opinions=args.batch_opinions)
            dt = time.perf_counter() - t
            n = lib.stats()["passages"]
            out[key] = {"seconds": round(dt, 1), "passages": n, "passages_per_s": round(n / dt, 2),
                        "opinions": rr.ingested, "num_cpus": args.num_cpus, "actors": actors,
                        "batch_opinions": args.batch_opinions, "includes": "Ray start-up and shut-down",
                        "load_after": os.getloadavg()[0]}
            lib.close()
            print(f"{key:<7} {n} passages in {dt:.1f} s = {n / dt:.1f} passages/s", flush=True)
            out[f"ratio_{key}_over_local"] = round(out[key]["passages_per_s"] / out["local"]["passages_per_s"], 2)
        out["load_after"] = os.getloadavg()
        print(json.dumps(out, indent=1))
        if args.json:
            Path(args.json).write_text(json.dumps(out, indent=1) + "\n")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
