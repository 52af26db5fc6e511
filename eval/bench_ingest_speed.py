"""Ingest speed, old vs new side by side in one run, on the same files, and the stores compared row by row.

    .venv/bin/python eval/bench_ingest_speed.py [--corpus ../shared/corpora/scotus-citator] [--limit N]
                                               [--workers N] [--json eval/reports/ingest_speed.json]

* old: one process, eyecite's default tokenizer (what ``qa-bot ingest`` did before);
* new: ``--workers`` processes loading and preparing documents (default: all cores; a corpus folder's files
  are parsed in the workers) with one writer, citations found with the Hyperscan prefilter (its database
  compiled once into the library's cache first, timed apart).

``--limit N`` ingests the first N opinions of a scotus-citator corpus (a temporary subset folder).
Prints seconds, opinions/s, the ratio, CPU seconds of all processes (which the machine's load moves far less than
wall time), and whether both stores hold exactly the same rows (exit 1 if not).
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qa_bot.ingest import citations  # noqa: E402
from qa_bot.ingest.pipeline import ingest  # noqa: E402
from qa_bot.ingest.store import Store  # noqa: E402
from qa_bot.settings import Settings  # noqa: E402


def rows(store: Store) -> dict:
    out = {}
    for (table,) in store.db.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name"):
        cols = [r[1] for r in store.db.execute(f"PRAGMA table_info({table})")
                if not (r[1] == "at" or r[1].endswith("_at"))]
        out[table] = sorted(store.db.execute(f"SELECT {', '.join(cols)} FROM {table}").fetchall(), key=repr)
        if table == "meta":  # a store's random id is its own
            out[table] = [r for r in out[table] if r[0] != "store_id"]
    return out


def subset(corpus: Path, limit: int, tmp: Path) -> Path:
    if not (corpus / "cases.jsonl").is_file():
        raise SystemExit(f"--limit needs a scotus-citator folder (cases.jsonl + opinions/): {corpus}")
    out = tmp / "corpus"
    out.mkdir()
    lines = [ln for ln in (corpus / "cases.jsonl").read_text(encoding="utf-8").splitlines() if ln.strip()][:limit]
    (out / "cases.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for line in lines:  # copies, not a link: the loader refuses opinion files outside the corpus folder
        try:
            case = json.loads(line)
        except ValueError:
            continue
        for op in case.get("opinions") or []:
            rel = op.get("file") if isinstance(op, dict) else None
            if rel and (corpus / rel).is_file():
                (out / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(corpus / rel, out / rel)
    return out


def cpu_seconds() -> float:
    """CPU seconds used so far by this process and its finished children (the ingest workers)."""
    import resource

    return sum(getattr(resource.getrusage(who), f) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
               for f in ("ru_utime", "ru_stime"))


CPU: dict[Path, float] = {}


def run(folder: Path, corpus: Path, workers: int, hyperscan: bool = True) -> tuple[float, Store, object]:
    """Ingest ``corpus`` into a new library ``folder``. ``hyperscan=False``: eyecite's default tokenizer even
    for a batch large enough that the ingest would pick Hyperscan itself (>= 32 MB: the whole corpus)."""
    store = Store(folder)
    available = citations.hyperscan_available
    if not hyperscan:
        citations.hyperscan_available = lambda: False
    try:
        t, c = time.perf_counter(), cpu_seconds()
        report = ingest(store, [corpus], Settings.preset(), workers=workers)
        CPU[folder] = cpu_seconds() - c
        return time.perf_counter() - t, store, report
    finally:
        citations.hyperscan_available = available


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpora" / "scotus-citator"))
    ap.add_argument("--limit", type=int, default=0, help="only the first N opinions of the corpus (0: all)")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--json", default="", help="also write the figures here")
    args = ap.parse_args(argv)
    corpus = Path(args.corpus)
    if not corpus.exists():
        print(f"error: --corpus {corpus}: no such file or folder", file=sys.stderr)
        return 2
    if args.limit < 0 or args.workers < 0:
        print("error: --limit and --workers must be 0 or more", file=sys.stderr)
        return 2
    loads = {"start": os.getloadavg()[0]}
    with tempfile.TemporaryDirectory(prefix="bench_ingest_speed_") as tmp:
        tmp = Path(tmp)
        src = subset(corpus, args.limit, tmp) if args.limit else corpus
        t_old, old, rep_old = run(tmp / "old", src, 0, hyperscan=False)
        if citations.is_cached(tmp / "old"):
            raise SystemExit("the old run used Hyperscan: the comparison would not be old vs new")
        loads["after_old"] = os.getloadavg()[0]
        compile_s = compile_cpu = 0.0
        if citations.hyperscan_available():
            t, c = time.perf_counter(), cpu_seconds()
            citations.use_hyperscan(tmp / "new")  # the one-time database build, cached in the library
            citations.use_default()
            compile_s, compile_cpu = time.perf_counter() - t, cpu_seconds() - c
        t_new, new, rep_new = run(tmp / "new", src, args.workers)
        loads["after_new"] = os.getloadavg()[0]
        r_old, r_new = rows(old), rows(new)
        differ = [t for t in sorted(set(r_old) | set(r_new)) if r_old.get(t) != r_new.get(t)]
        lines_old, lines_new = rep_old.lines(), rep_new.lines()
        if lines_old != lines_new:
            differ.append("report lines")
        same = not differ
        for what in differ:  # say where the stores part, with the first rows that differ
            a, b = (r_old.get(what), r_new.get(what)) if what != "report lines" else (lines_old, lines_new)
            only_old = [x for x in a or [] if x not in (b or [])][:2]
            only_new = [x for x in b or [] if x not in (a or [])][:2]
            print(f"differs: {what}: {len(a or [])} vs {len(b or [])} rows; only old: {str(only_old)[:300]}; "
                  f"only new: {str(only_new)[:300]}")
        n = len(rep_old.ingested)
        passages = old.db.execute("SELECT COUNT(*) FROM passages").fetchone()[0]
        old.close()
        new.close()
        shutil.rmtree(tmp / "corpus", ignore_errors=True)
    load = os.getloadavg()
    hwm = next((int(ln.split()[1]) for ln in Path("/proc/self/status").read_text().splitlines()
                if ln.startswith("VmHWM:")), 0) if Path("/proc/self/status").exists() else 0
    import resource

    workers_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # spawned workers (KiB)
    figures = {"corpus": str(corpus), "limit": args.limit, "opinions": n, "passages": passages,
               "old_seconds": round(t_old, 1), "new_seconds": round(t_new, 1), "ratio": round(t_new / t_old, 3),
               "ratio_with_hyperscan_build": round((t_new + compile_s) / t_old, 3),
               "old_cpu_seconds": round(CPU[tmp / "old"], 1), "new_cpu_seconds": round(CPU[tmp / "new"], 1),
               "hyperscan_compile_seconds": round(compile_s, 1), "hyperscan_compile_cpu_seconds": round(compile_cpu, 1),
               "old_tokenizer": "eyecite default", "workers": args.workers,
               "hyperscan": citations.hyperscan_available(), "identical_stores": same, "differ": differ,
               "load_average": [round(x, 2) for x in load], "load_1min": {k: round(v, 2) for k, v in loads.items()},
               "cpus": os.cpu_count(),
               "peak_rss_mb": round(max(hwm, workers_peak) / 1024, 1)}
    print(f"{n} opinions, {passages} passages; 1-minute load {loads['start']:.1f} at the start, "
          f"{loads['after_old']:.1f} after old, {loads['after_new']:.1f} after new, on {os.cpu_count()} cores")
    print(f"old (1 process, default tokenizer)      {t_old:8.1f} s  {n / t_old:6.2f} opinions/s")
    print(f"new ({args.workers} workers + writer, Hyperscan)    {t_new:8.1f} s  {n / t_new:6.2f} opinions/s  "
          f"= {t_new / t_old:.2f} x the old time")
    print(f"CPU seconds (all processes): old {CPU[tmp / 'old']:.1f}, new {CPU[tmp / 'new']:.1f} "
          f"= {CPU[tmp / 'new'] / CPU[tmp / 'old']:.2f} x; with {args.workers} workers on {args.workers} free cores the new "
          f"wall time would be about {CPU[tmp / 'new'] / max(args.workers, 1) / CPU[tmp / 'old']:.2f} x the old")
    print(f"Hyperscan database built once in {compile_s:.1f} s, {compile_cpu:.1f} CPU s (cached in the library folder after; a first "
          f"ingest into a new library pays it: {(t_new + compile_s) / t_old:.2f} x the old time with it)")
    print(f"stores identical row by row: {same}")
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
