"""Every speed figure side by side in one run: JSON, a Markdown table and a PNG plot under eval/reports/.

    .venv/bin/python eval/bench_all.py [--index demo] [--corpus-index scotus] [--sections embed,quality,...]
                                       [--passages 512] [--million 1000000] [--out eval/reports]

Sections (all by default; each comparison is measured in this one run, on the same data, alternating):

* ``embed``: the same passages embedded by a bare ``SentenceTransformer.encode`` and by our pipeline with
  each encoder (``torch``, ``onnx`` fp32, ``onnx-int8``): passages/s and model tokens/s, ratios to the bare
  model, and each encoder's cosine to the torch vectors.
* ``quality``: hit@10 / ndcg@10 of dense and hybrid retrieval on both dev sets (eval/sets/pena_dev.jsonl and
  scotus_dev.jsonl) over ``--index`` as embedded (torch) and re-embedded with ``onnx-int8`` (a temporary
  copy), the points of hit@10 int8 loses or gains on each, and eval/sets/scotus_treatment.jsonl over
  ``--corpus-index`` when that library has vectors.
* ``first_answer``: ``python app.py`` on an empty ``embeddings/`` (the demo built as on a clean clone):
  seconds to the page, to the first answer and to the whole demo searchable (eval/bench_first_answer.py).
* ``llamaindex``: LlamaIndex's default pipeline (eval/llamaindex_side.py, run with ``--llamaindex-python``, a
  Python of its own virtualenv) against ours on the demo's opinion files with the same model folder: files to
  a searchable index, first answer, model tokens actually embedded per second, hit@10 on both dev sets.
* ``latency``: p50/p95/p99 ms of bm25, dense, hybrid search and of the whole extractive ``ask`` over
  ``--index`` and ``--corpus-index`` (16 questions x 3 rounds, modes rotating), and the peak RSS of the
  process serving them. A corpus library given synthetic vectors by eval/synthetic_vectors.py (no time to
  embed it) is timed as it is, and the report says its vectors are synthetic.
* ``ann``: ``--million`` synthetic 384-d vectors (real demo vectors plus noise, normalised; synthetic, so
  read recall as a property of the index, not of legal text): exact flat search vs IVF-Flat and HNSW,
  recall@10 against exact, p50/p95/p99 ms on one query at a time, build seconds, bytes per passage.
* ``bm25``: the corpus library's passages repeated up to ``--million`` passages (repeated real text: the
  vocabulary does not grow as a real 1M library's would), BM25 build seconds, query p50/p95/p99, peak RSS.
* ``ingest``: eval/bench_ingest_speed.py on the first ``--ingest-limit`` opinions of the corpus (old vs
  new in one run) with its peak RSS.

Machine load (``os.getloadavg``) is recorded at the start and end of every section.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SECTIONS = ("embed", "quality", "first_answer", "llamaindex", "latency", "ann", "bm25", "ingest")
QUESTIONS = [
    "Are officers entitled to qualified immunity when the right was not clearly established?",
    "state-created danger substantive due process",
    "42 U.S.C. § 1983 liability of a municipality",
    "Does the Commerce Clause allow Congress to regulate intrastate activity?",
    "warrantless search of an automobile under the Fourth Amendment",
    "equal protection strict scrutiny racial classification",
    "federal habeas corpus review of a state conviction",
    "prior restraint on the press and freedom of speech",
    "Can a state be sued by a citizen of another state in federal court?",
    "admiralty jurisdiction over navigable waters",
    "separation of powers and the appointment of officers",
    "When is a confession involuntary under the Due Process Clause?",
    "Rule 12(b)(6) motion to dismiss for failure to state a claim",
    "right to counsel for indigent defendants",
    "takings clause just compensation regulatory taking",
    "stare decisis and overruling precedent",
]


class BenchError(Exception):
    """Bad input to the benchmark: printed as one line."""


def pct(xs, q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))] if xs else float("nan")


def dist_ms(xs: list[float]) -> dict:
    return {"p50": round(pct(xs, .5) * 1000, 2), "p95": round(pct(xs, .95) * 1000, 2),
            "p99": round(pct(xs, .99) * 1000, 2), "n": len(xs)}


def load() -> float:
    return round(os.getloadavg()[0], 2)


def peak_rss_mb() -> float:
    """This process's own peak RSS (VmHWM; ru_maxrss would carry the parent's over fork + exec)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def open_library(index: str, option: str = "--index"):
    from qa_bot.errors import QaBotError
    from qa_bot.library import Library
    from qa_bot.paths import resolve_index

    folder = resolve_index(index)
    if not (folder / "library.sqlite").is_file():
        raise BenchError(f"{option} {index}: no library at {folder} (build it with qa-bot ingest)")
    try:
        return Library.open(index)
    except QaBotError as e:
        raise BenchError(f"{option} {index}: {e}") from None


# -- embed ------------------------------------------------------------------------------------------
def bench_embed(index: str, n: int, rounds: int = 3) -> dict:
    import numpy as np
    from sentence_transformers import SentenceTransformer

    from qa_bot import offline
    from qa_bot.index.embed import Embedder
    from qa_bot.settings import EmbedSettings

    with open_library(index) as lib:
        texts = [p.text for p in lib.store.passages(lib.store.passage_ids())]
    if not texts:
        raise BenchError(f"--index {index}: the library holds no passages")
    rng = np.random.default_rng(0)
    texts = [texts[i] for i in rng.choice(len(texts), min(n, len(texts)), replace=False)]
    path = offline.resolve_model(EmbedSettings().model)
    bare = SentenceTransformer(path, device="cpu")
    tok = offline.model_tokenizer(EmbedSettings().model)
    tokens = sum(min(len(ids), bare.max_seq_length) for ids in tok(texts, add_special_tokens=True)["input_ids"])
    runs = {"bare SentenceTransformer.encode": lambda t: bare.encode(t, batch_size=64, normalize_embeddings=True)}
    for enc in ("torch", "onnx", "onnx-int8"):
        e = Embedder(EmbedSettings(encoder=enc))
        runs[f"qa-bot {enc}"] = e.encode_documents
    for f in runs.values():  # warm-up (and the one-time ONNX export, outside the timing)
        f(texts[:16])
    secs: dict[str, list[float]] = {k: [] for k in runs}
    cpu: dict[str, list[float]] = {k: [] for k in runs}  # CPU seconds of all this process's threads
    vecs = {}
    for r in range(rounds):
        for name in (list(runs) if r % 2 == 0 else list(runs)[::-1]):
            t, c = time.perf_counter(), time.process_time()
            vecs[name] = runs[name](texts)
            secs[name].append(time.perf_counter() - t)
            cpu[name].append(time.process_time() - c)
    base = "bare SentenceTransformer.encode"
    ref = vecs["qa-bot torch"]
    out = {"passages": len(texts), "model_tokens": int(tokens), "rounds": rounds, "runs": {}}
    for name, s in secs.items():
        med = statistics.median(s)
        cos = (vecs[name] * ref).sum(1)
        cmed = statistics.median(cpu[name])
        out["runs"][name] = {"seconds": round(med, 2), "passages_per_s": round(len(texts) / med, 1),
                             "tokens_per_s": round(tokens / med), "vs_bare": round(statistics.median(secs[base]) / med, 3),
                             "cpu_seconds": round(cmed, 2), "vs_torch": round(statistics.median(secs["qa-bot torch"]) / med, 3),
                             "cpu_vs_torch": round(statistics.median(cpu["qa-bot torch"]) / cmed, 3),
                             "seconds_each_round": [round(x, 1) for x in s],
                             "cos_to_torch_min": round(float(cos.min()), 4), "cos_to_torch_mean": round(float(cos.mean()), 4)}
    return out


# -- quality ----------------------------------------------------------------------------------------
def _hit10(lib, set_path: Path, modes=("dense", "hybrid")) -> dict:
    from qa_bot.evaluation.evalset import load_set
    from qa_bot.evaluation.evaluate import evaluate

    es = load_set(set_path)
    out = {}
    for m in modes:
        rep = evaluate(lib, es, m, k=10)
        r = rep["overall"]["retrieval"] if "overall" in rep else rep["retrieval"]
        out[m] = {"hit@10": round(r.get("hit@10", float("nan")), 4), "ndcg@10": round(r.get("ndcg@10", float("nan")), 4)}
    return out


DEV_SETS = ("pena_dev", "scotus_dev")  # both over the demo library


def bench_quality(index: str, corpus_index: str | None) -> dict:
    """hit@10 / ndcg@10 on both dev sets over ``index`` as embedded (its manifest's encoder) and over a copy
    re-embedded with ``onnx-int8`` in this run; the int8 rule (issue 11 item 2) is judged on both sets."""
    from qa_bot.library import Library
    from qa_bot.settings import Settings

    sets = ROOT / "eval" / "sets"
    out: dict = {s: {} for s in DEV_SETS}
    out["scotus_treatment"] = {}
    with open_library(index) as lib:
        src = lib.folder
        st = lib.retriever.status()
        if not st["vectors"]:
            raise BenchError(f"--index {index}: no vectors; run qa-bot sync --index {index}")
        built = lib.retriever.embedder.encoder
        if built != "torch":
            raise BenchError(f"--index {index}: embedded with {built}; the quality section needs a torch library")
    with tempfile.TemporaryDirectory(prefix="bench_q8_") as tmp:
        # both sides from copies brought up to date the same way (sentence roles retagged, BM25), so that
        # they differ in their vectors alone: the int8 sync below retags a library built before roles were
        # stored, and role-aware ranking moved scotus_dev hit@10 by up to 12 points on its own
        same = Path(tmp) / "torch"
        shutil.copytree(src, same)
        with Library.open(same) as lib:
            out["brought_up_to_date"] = lib.retriever.sync(embed=False)
            for s in DEV_SETS:
                out[s]["torch"] = _hit10(lib, sets / f"{s}.jsonl")
        copy = Path(tmp) / "lib"
        shutil.copytree(src, copy)
        s8 = Settings.preset().with_(embed={"encoder": "onnx-int8"})
        with Library.open(copy, settings=s8) as lib8:
            t = time.perf_counter()
            lib8.retriever.sync(rebuild=True)
            secs = time.perf_counter() - t
            out["int8_reembed"] = {"passages": st["passages"], "seconds": round(secs, 1),
                                   "passages_per_s": round(st["passages"] / secs, 1), "load": load()}
            for s in DEV_SETS:
                out[s]["onnx-int8"] = _hit10(lib8, sets / f"{s}.jsonl")
    out["int8_rule"] = {s: {m: round(100 * (out[s]["onnx-int8"][m]["hit@10"] - out[s]["torch"][m]["hit@10"]), 1)
                            for m in ("dense", "hybrid")} for s in DEV_SETS}
    if corpus_index:
        with open_library(corpus_index) as lib:
            st = lib.retriever.status()
            if st.get("synthetic_vectors"):
                out["scotus_treatment"]["note"] = f"{corpus_index}: SYNTHETIC vectors; dense hit@10 not measured"
            elif st["vectors"] >= st["passages"] > 0:
                out["scotus_treatment"]["torch"] = _hit10(lib, sets / "scotus_treatment.jsonl")
            else:
                out["scotus_treatment"]["note"] = (f"{corpus_index}: {st['vectors']} of {st['passages']} passages "
                                                   "embedded; dense hit@10 not measured")
            out["scotus_treatment"]["bm25"] = _hit10(lib, sets / "scotus_treatment.jsonl", ("bm25",))["bm25"]
    else:
        del out["scotus_treatment"]
    return out


# -- latency ----------------------------------------------------------------------------------------
def bench_latency(index: str, rounds: int = 3) -> dict:
    from qa_bot.index import vectors

    with open_library(index) as lib:
        st = lib.retriever.status()
        # "dense, all cores": the same dense search with FAISS on OpenMP's default thread count (one per
        # core), against the product's one thread per query (index/vectors.py SEARCH_THREADS), alternating
        modes = ["bm25"] + (["dense", "dense, all cores", "hybrid"] if st["vectors"] else [])
        for m in modes:
            lib.search(QUESTIONS[0], k=10, mode=m.split(",")[0])
        lib.ask(QUESTIONS[0])
        times: dict[str, list[float]] = {m: [] for m in [*modes, "ask"]}
        t0 = load()
        for r in range(rounds):
            for i, q in enumerate(QUESTIONS):
                order = [*modes, "ask"]
                order = order[(i + r) % len(order):] + order[:(i + r) % len(order)]
                for m in order:
                    vectors.SEARCH_THREADS = (os.cpu_count() or 1) if m == "dense, all cores" else 1
                    t = time.perf_counter()
                    if m == "ask":
                        lib.ask(q)
                    else:
                        lib.search(q, k=10, mode=m.split(",")[0])
                    times[m].append(time.perf_counter() - t)
                    vectors.SEARCH_THREADS = 1
        return {"passages": st["passages"], "vectors": st["vectors"], "vector_index": st["vector_index"],
                "synthetic_vectors": bool(st.get("synthetic_vectors")),
                "latency_ms": {m: dist_ms(v) for m, v in times.items()},
                "ask_mode": lib.settings.retrieve.mode, "load": [t0, load()], "peak_rss_mb": peak_rss_mb()}


def _in_child(fn, *args) -> dict:
    """Run ``fn`` in a fresh process, so its peak RSS is its own."""
    import multiprocessing as mp

    ctx = mp.get_context("spawn")
    with ctx.Pool(1) as pool:
        return pool.apply(fn, args)


# -- ANN at 1M --------------------------------------------------------------------------------------
def _synthetic(index: str, n: int, nq: int, seed: int = 0, option: str = "--index"):
    """``n`` base and ``nq`` query vectors, each a random real passage vector of ``index`` plus noise,
    renormalised (eval/synthetic_vectors.py gives a whole library such vectors)."""
    import faiss
    import numpy as np

    with open_library(index, option) as lib:
        lib.retriever.lexical()
        vec = lib.retriever._load()[1]
        if vec is None:
            raise BenchError(f"{option} {index}: no vectors to draw synthetic vectors from")
        real = faiss.rev_swig_ptr(faiss.downcast_index(vec.index.index).get_xb(), vec.index.ntotal * vec.dim)
        real = np.array(real, dtype=np.float32).reshape(vec.index.ntotal, vec.dim)
    rng = np.random.default_rng(seed)

    def draw(m):
        x = real[rng.integers(0, len(real), m)] + rng.normal(0, 0.035, (m, real.shape[1])).astype(np.float32)
        return x / np.linalg.norm(x, axis=1, keepdims=True)

    xb = np.empty((n, real.shape[1]), dtype=np.float32)
    for lo in range(0, n, 100_000):
        xb[lo:lo + 100_000] = draw(min(100_000, n - lo))
    return xb, draw(nq)


def bench_ann(index: str, n: int, nq: int = 200, hnsw: bool = True) -> dict:
    import faiss
    import numpy as np

    faiss.omp_set_num_threads(os.cpu_count() or 1)
    xb, xq = _synthetic(index, n, nq)
    d = xb.shape[1]
    out: dict = {"vectors": n, "dim": d, "queries": nq, "synthetic": True, "load": [load()], "indexes": {}}
    flat = faiss.IndexFlatIP(d)
    t = time.perf_counter()
    flat.add(xb)
    build = time.perf_counter() - t
    _, truth = flat.search(xq, 10)

    def measure(name, idx, build_s, nbytes, **params):
        faiss.omp_set_num_threads(1)  # one query at a time on one thread, as a chat request runs
        lat, found = [], []
        for q in xq:
            t = time.perf_counter()
            _, ids = idx.search(q.reshape(1, -1), 10)
            lat.append(time.perf_counter() - t)
            found.append(ids[0])
        faiss.omp_set_num_threads(os.cpu_count() or 1)
        recall = float(np.mean([len(set(f) & set(g)) / 10 for f, g in zip(found, truth)]))
        out["indexes"][name] = {"recall@10": round(recall, 4), "latency_ms": dist_ms(lat),
                                "build_s": round(build_s, 1), "bytes_per_passage": round(nbytes / n, 1), **params}

    measure("flat (exact)", flat, build, d * 4 * n)
    nlist = int(4 * np.sqrt(n))
    quant = faiss.IndexFlatIP(d)
    ivf = faiss.IndexIVFFlat(quant, d, nlist, faiss.METRIC_INNER_PRODUCT)
    t = time.perf_counter()
    ivf.train(xb[np.random.default_rng(1).choice(n, min(n, 40 * nlist), replace=False)])
    ivf.add(xb)
    build = time.perf_counter() - t
    for nprobe in (8, 16, 32, 64):
        ivf.nprobe = nprobe
        measure(f"IVF-Flat nlist={nlist} nprobe={nprobe}", ivf, build, n * (d * 4 + 8) + nlist * d * 4)
    del ivf
    if hnsw:
        h = faiss.IndexHNSWFlat(d, 32, faiss.METRIC_INNER_PRODUCT)
        t = time.perf_counter()
        h.add(xb)
        build = time.perf_counter() - t
        for ef in (64, 128):
            h.hnsw.efSearch = ef
            measure(f"HNSW M=32 efSearch={ef}", h, build, n * (d * 4 + 32 * 2 * 4 * 1.1))
    out["load"].append(load())
    out["peak_rss_mb"] = peak_rss_mb()
    return out


# -- BM25 at 1M -------------------------------------------------------------------------------------
def bench_bm25(corpus_index: str, n: int) -> dict:
    import numpy as np

    from qa_bot.index.lexical import Lexical
    from qa_bot.retrieve.search import lexical_header

    with open_library(corpus_index) as lib:
        ids = lib.store.passage_ids()
        passages = lib.store.passages(ids)
    if not passages:
        raise BenchError(f"--corpus-index {corpus_index}: the library holds no passages")
    reps = -(-n // len(passages))
    lex = Lexical()
    t0, l0 = time.perf_counter(), load()
    next_id = 1
    for r in range(reps):
        take = passages[: min(len(passages), n - (next_id - 1))]
        lex.add(list(range(next_id, next_id + len(take))), [p.text for p in take], [0] * len(take),
                [lexical_header(p) for p in take])
        next_id += len(take)
    lex.build()
    build = time.perf_counter() - t0
    lat = []
    for r in range(3):
        for q in QUESTIONS:
            t = time.perf_counter()
            lex.search(q, 100)
            lat.append(time.perf_counter() - t)
    del np
    return {"passages": next_id - 1, "repeated_real_passages": True, "build_s": round(build, 1),
            "latency_ms": dist_ms(lat), "load": [l0, load()], "peak_rss_mb": peak_rss_mb()}


# -- ingest -----------------------------------------------------------------------------------------
def bench_ingest(corpus: str, limit: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench_all_ingest_") as tmp:
        js = Path(tmp) / "ingest.json"
        cmd = [sys.executable, str(ROOT / "eval" / "bench_ingest_speed.py"), "--corpus", corpus,
               "--limit", str(limit), "--json", str(js)]
        rc = subprocess.call(cmd, cwd=ROOT)
        out = json.loads(js.read_text()) if js.exists() else {"error": f"exit code {rc}"}
        out["command"] = " ".join(["eval/bench_ingest_speed.py", *cmd[2:-2]])
    return out


# -- first answer -----------------------------------------------------------------------------------
def bench_first_answer() -> dict:
    """``python app.py`` in a fresh folder with an empty ``embeddings/`` (the demo is built as on a clean
    clone): seconds to the page, to the first answer (and the retrieval it used), to the whole demo stored
    and BM25-searchable; eval/bench_first_answer.py --first-answer-only, run here."""
    with tempfile.TemporaryDirectory(prefix="bench_first_answer_") as tmp:
        fa = Path(tmp) / "first.json"
        run = _timed([sys.executable, str(ROOT / "eval" / "bench_first_answer.py"), "--first-answer-only",
                      "--json", str(fa)], {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT)})
        first = json.loads(fa.read_text(encoding="utf-8"))
    out = {k: first.get(k) for k in ("seconds_to_server_up", "seconds_to_first_answer",
                                     "seconds_to_library_searchable", "load_before", "load_after")}
    answer = first.get("first_answer") or {}
    out["used"] = (answer.get("retrieval") or {}).get("used")
    out["passages_when_answered"] = (answer.get("retrieval") or {}).get("passages")
    out["citations"] = answer.get("citations")
    out["cpu_seconds"] = run["cpu_seconds"]
    return out


# -- LlamaIndex -------------------------------------------------------------------------------------
def demo_files() -> list[Path]:
    """The opinion files the demo library ingests (Pena v. DePrisco and each Supreme Court case's files)."""
    from qa_bot.demo import DATA

    files = [DATA / "pena-v-deprisco.txt"]
    for line in (DATA / "scotus" / "cases.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            files += [DATA / "scotus" / o["file"] for o in json.loads(line)["opinions"]]
    return files


def _case_of_file() -> dict[str, tuple[str, tuple[str, ...]]]:
    """File path -> (case name, citations), for judging a LlamaIndex node as evalset.supports judges ours."""
    from qa_bot.demo import DATA

    side = json.loads((DATA / "pena-v-deprisco.json").read_text(encoding="utf-8"))
    out = {str((DATA / "pena-v-deprisco.txt").resolve()): (side["case_name"], (side["citation"],))}
    for line in (DATA / "scotus" / "cases.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            c = json.loads(line)
            for o in c["opinions"]:
                out[str((DATA / "scotus" / o["file"]).resolve())] = (c["case_name"],
                                                                     (c["us_citation"], *c.get("citations", [])))
    return out


def _plain(text: str) -> str:
    """A LlamaIndex node's text with the HTML markup it kept taken out, so that a quote the markup
    interrupts still counts as found (in LlamaIndex's favour: its embeddings saw the markup)."""
    import html
    import re

    return html.unescape(re.sub(r"<[^>]+>", " ", text))


def _timed(cmd: list[str], env: dict | None = None) -> dict:
    """Run ``cmd``; its wall seconds and the CPU seconds of it and its children."""
    def cpu() -> float:
        r = resource.getrusage(resource.RUSAGE_CHILDREN)
        return r.ru_utime + r.ru_stime

    c, t = cpu(), time.perf_counter()
    p = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    if p.returncode != 0:
        raise BenchError(f"{' '.join(map(str, cmd[:4]))} ... failed ({p.returncode}): {p.stderr.strip()[-300:]}")
    return {"seconds": round(time.perf_counter() - t, 1), "cpu_seconds": round(cpu() - c, 1), "load": load()}


def bench_llamaindex(python: str) -> dict:
    """Ours vs LlamaIndex's default pipeline on the demo's opinion files (eval/llamaindex_side.py says
    exactly what the LlamaIndex side does): ingest to a searchable index, tokens actually embedded per
    second, first answer, hit@10 on both dev sets. Sides run one after the other in this run."""
    from qa_bot import offline
    from qa_bot.demo import demo_sources
    from qa_bot.evaluation.evalset import load_set, normalize, supports
    from qa_bot.library import Library
    from qa_bot.settings import DEFAULT_MODEL, EmbedSettings

    if not python or not Path(python).is_file():
        raise BenchError(f"--llamaindex-python {python!r}: no such Python (one with llama-index-core and "
                         "llama-index-embeddings-huggingface installed)")
    model = offline.resolve_model(EmbedSettings().model or DEFAULT_MODEL)
    files = demo_files()
    sets = {s: load_set(ROOT / "eval" / "sets" / f"{s}.jsonl") for s in DEV_SETS}
    questions = [q.question for s in DEV_SETS for q in sets[s].questions]
    out: dict = {"opinion_files": len(files), "model_folder_same_for_both": True, "load_start": load()}
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "PYTHONPATH": str(ROOT)}
    with tempfile.TemporaryDirectory(prefix="bench_llamaindex_") as tmp:
        tmp = Path(tmp)
        # LlamaIndex, in its own interpreter
        (tmp / "q.json").write_text(json.dumps(questions), encoding="utf-8")
        li = _timed([python, str(ROOT / "eval" / "llamaindex_side.py"), "--model", model, "--questions",
                     str(tmp / "q.json"), "--out", str(tmp / "li.json"), *map(str, files)], env)
        theirs = json.loads((tmp / "li.json").read_text(encoding="utf-8"))
        results = theirs.pop("results")
        secs = theirs["seconds_from_start"]
        out["llamaindex"] = {
            "what": "SimpleDirectoryReader -> default SentenceSplitter (1,024 tokens, 200 overlap) -> "
                    "HuggingFaceEmbedding defaults -> VectorStoreIndex (in memory) -> retriever top 10",
            "process": li, "seconds_to_index": secs["embedded"], "seconds_to_first_retrieval": secs["first_retrieval"],
            "embed_seconds": theirs["embed_seconds"], "nodes": theirs["nodes"],
            "node_tokens_model": theirs["node_tokens_model"], "tokens_embedded": theirs["tokens_embedded"],
            "nodes_truncated": theirs["nodes_truncated"],
            "tokens_embedded_per_s": round(theirs["tokens_embedded"] / theirs["embed_seconds"]),
            "share_of_text_embedded": round(theirs["tokens_embedded"] / theirs["node_tokens_model"], 3),
            **{k: theirs[k] for k in ("seconds_from_start", "chunk_size", "chunk_overlap", "embed_batch_size",
                                       "max_seq_length", "cpu_seconds", "versions")},
            "query_latency_ms": dist_ms(theirs["query_seconds"])}
        cases = _case_of_file()
        quality: dict = {}
        i = 0
        for s in DEV_SETS:
            hits, chars = [], []
            for q in sets[s].questions:
                ranked = results[i]
                i += 1
                if not q.answerable or not q.evidence:
                    continue
                found = False
                for r in ranked[:10]:
                    name, cites = cases.get(str(Path(r["file"]).resolve()), ("", ()))
                    text = normalize(_plain(r["text"]))
                    if any(supports(ev, text, name, cites, normalized=True) for ev in q.evidence):
                        found = True
                        break
                hits.append(found)
                chars.append(sum(len(r["text"]) for r in ranked[:10]))
            quality[s] = {"dense hit@10": round(sum(hits) / len(hits), 4), "questions": len(hits),
                          "chars_in_top10_mean": round(statistics.mean(chars))}
        out["llamaindex"]["quality"] = quality
        # ours: a fresh library from the same files; qa-bot ingest --no-embed in its own process (imports
        # included, as LlamaIndex's figures include theirs), then the vectors in this process (torch and our
        # modules already imported; the model load is counted), the encoder's calls timed apart
        lib = tmp / "lib"
        qa = [sys.executable, "-c", "import sys; from qa_bot.cli import main; sys.exit(main())"]
        ing = _timed([*qa, "ingest", "--index", str(lib), "--no-embed", "--quiet", *map(str, demo_sources())], env)
        with Library.open(lib) as ours_lib:
            from qa_bot.index.sync import doc_text

            texts = [doc_text(p) for p in ours_lib.store.passages(ours_lib.store.passage_ids())]
            tok = offline.fast_tokenizer(DEFAULT_MODEL)
            count = [len(tok.encode(t, add_special_tokens=True).ids) for t in texts]
            t0, c0 = time.perf_counter(), time.process_time()
            embedder = ours_lib.retriever.embedder
            limit = embedder.model.max_seq_length  # loads the model: counted in the sync's time
            encode, spent = embedder.encode_documents, []

            def timed_encode(batch, progress=None):
                t = time.perf_counter()
                try:
                    return encode(batch, progress)
                finally:
                    spent.append(time.perf_counter() - t)

            embedder.encode_documents = timed_encode
            ours_lib.retriever.sync()
            syn = {"seconds": round(time.perf_counter() - t0, 1), "cpu_seconds": round(time.process_time() - c0, 1),
                   "load": load()}
            embedder.encode_documents = encode
            chunk_tokens = sum(min(c, limit) for c in count)
            ours_q: dict = {}
            for s in DEV_SETS:
                h = _hit10(ours_lib, ROOT / "eval" / "sets" / f"{s}.jsonl", ("bm25", "dense", "hybrid"))
                ours_q[s] = {f"{m} hit@10": v["hit@10"] for m, v in h.items()}
            st = ours_lib.retriever.status()
        out["qa_bot"] = {
            "what": "qa-bot ingest --no-embed (load, structure, eyecite, chunk to <= 180 cl100k tokens and <= 256 "
                    "model tokens, SQLite, BM25), then sync (embed every passage with the default encoder, FAISS)",
            "encoder": embedder.encoder, "ingest": ing, "sync": syn, "passages": st["passages"],
            "vectors": st["vectors"], "tokens_embedded": chunk_tokens, "passages_over_limit": sum(c > limit for c in count),
            "seconds_to_index": round(ing["seconds"] + syn["seconds"], 1),
            "embed_seconds": round(sum(spent), 1), "tokens_embedded_per_s": round(chunk_tokens / sum(spent)),
            "quality": ours_q}
        # ours: the real app's first answer on an empty embeddings/ (eval/bench_first_answer.py)
        out["qa_bot"]["app_first_answer"] = bench_first_answer()
    out["load_end"] = load()
    return out


# -- output -----------------------------------------------------------------------------------------
def markdown(res: dict) -> str:
    lines = [f"# Benchmarks (eval/bench_all.py), {res['started']}, {res['cpus']} cores, load {res['load_start']} -> "
             f"{res['load_end']}", ""]
    if "embed" in res:
        e = res["embed"]
        lines += [f"## Embedding {e['passages']} passages ({e['model_tokens']:,} model tokens), same run, median of "
                  f"{e.get('rounds', 2)} alternating rounds", "",
                  "| pipeline | passages/s | tokens/s | x bare | x our torch (wall) | x our torch (CPU s) | "
                  "cos to torch (min / mean) |", "|---|---|---|---|---|---|---|"]
        lines += [f"| {k} | {v['passages_per_s']} | {v['tokens_per_s']:,} | {v['vs_bare']:.2f} | {v.get('vs_torch', '')} | "
                  f"{v.get('cpu_vs_torch', '')} | {v['cos_to_torch_min']} / {v['cos_to_torch_mean']} |"
                  for k, v in e["runs"].items()]
        lines.append("")
    if "quality" in res:
        q = res["quality"]
        lines += ["## Retrieval quality by encoder (k=10)", "", "| set | encoder | mode | hit@10 | ndcg@10 |",
                  "|---|---|---|---|---|"]
        for s, by in q.items():
            if s.startswith("int8_") or s == "brought_up_to_date":
                continue
            for enc, modes in by.items():
                if isinstance(modes, dict) and all(isinstance(v, dict) for v in modes.values()):
                    lines += [f"| {s} | {enc} | {m} | {v['hit@10']} | {v['ndcg@10']} |" for m, v in modes.items()]
                elif enc == "bm25":
                    lines.append(f"| {s} | - | bm25 | {modes['hit@10']} | {modes['ndcg@10']} |")
                elif enc == "note":
                    lines.append(f"| {s} | | | {modes} | |")
        lines.append("")
        if "int8_rule" in q:
            r = q["int8_reembed"]
            lines += [f"int8 re-embedded the library's {r['passages']:,} passages in {r['seconds']} s "
                      f"({r['passages_per_s']} passages/s, load {r['load']}); hit@10 change int8 - torch, points: "
                      + "; ".join(f"{s} dense {d['dense']:+}, hybrid {d['hybrid']:+}" for s, d in q["int8_rule"].items()),
                      ""]
    if "first_answer" in res:
        f = res["first_answer"]
        lines += ["## First answer from `python app.py` on an empty embeddings/ (eval/bench_first_answer.py)", "",
                  f"page up {f['seconds_to_server_up']} s, first answer {f['seconds_to_first_answer']} s "
                  f"({f['used']} over {f['passages_when_answered']} passages, {f['citations']} citations), whole demo "
                  f"stored and BM25-searchable {f['seconds_to_library_searchable']} s; load {f['load_before']} -> "
                  f"{f['load_after']}", ""]
    if "llamaindex" in res:
        li, us = res["llamaindex"]["llamaindex"], res["llamaindex"]["qa_bot"]
        fa = us["app_first_answer"]
        lines += [f"## qa-bot vs LlamaIndex's default pipeline, the demo's {res['llamaindex']['opinion_files']} opinion "
                  f"files, same model folder (load {res['llamaindex']['load_start']} -> {res['llamaindex']['load_end']})",
                  "", "| | qa-bot | LlamaIndex |", "|---|---|---|",
                  f"| what runs | {us['what']} | {li['what']} |",
                  f"| files to a searchable index, s (wall; CPU) | {us['seconds_to_index']} (ingest {us['ingest']['seconds']} "
                  f"+ sync {us['sync']['seconds']}; CPU {us['ingest']['cpu_seconds'] + us['sync']['cpu_seconds']:.0f}) | "
                  f"{li['seconds_to_index']} (of which imports {li['seconds_from_start']['imports']}; CPU "
                  f"{li['process']['cpu_seconds']}) |",
                  f"| first answer, s from start | {fa['seconds_to_first_answer']} (python app.py on an empty embeddings/, "
                  f"{fa['used']}) | {li['seconds_to_first_retrieval']} (first top 10; no LLM offline) |",
                  f"| pieces embedded | {us['passages']:,} passages | {li['nodes']:,} nodes ({li['nodes_truncated']} cut at "
                  f"{li['max_seq_length']} tokens) |",
                  f"| model tokens embedded | {us['tokens_embedded']:,} | {li['tokens_embedded']:,} of "
                  f"{li['node_tokens_model']:,} ({100 * li['share_of_text_embedded']:.0f}%) |",
                  f"| embedding alone, s | {us['embed_seconds']} ({us['encoder']}) | {li['embed_seconds']} (batch "
                  f"{li['embed_batch_size']}) |",
                  f"| **model tokens embedded / s** | **{us['tokens_embedded_per_s']:,}** | **{li['tokens_embedded_per_s']:,}** |",
                  f"| query p50 / p95 ms (retrieval) | see latency | {li['query_latency_ms']['p50']} / "
                  f"{li['query_latency_ms']['p95']} |"]
        for s in DEV_SETS:
            q, lq = us["quality"][s], li["quality"][s]
            lines.append(f"| {s} hit@10 | dense {q['dense hit@10']}, hybrid {q['hybrid hit@10']}, bm25 "
                         f"{q['bm25 hit@10']} | dense {lq['dense hit@10']} (top 10 = {lq['chars_in_top10_mean']:,} "
                         "characters on average) |")
        lines.append("")
    for key in [k for k in res if k.startswith("latency:")]:
        v = res[key]
        synthetic = (" **SYNTHETIC** (eval/synthetic_vectors.py: demo vectors plus noise, the real model embeds "
                     "the question; their cost is real, their rankings are not)") if v.get("synthetic_vectors") else ""
        lines += [f"## Query latency, {key.split(':', 1)[1]} ({v['passages']:,} passages, vectors {v['vectors']:,} "
                  f"{v['vector_index']}{synthetic}), peak RSS serving {v['peak_rss_mb']} MB, load {v['load']}", "",
                  "| step | p50 ms | p95 ms | p99 ms |", "|---|---|---|---|"]
        lines += [f"| {m if m != 'ask' else 'ask (' + v['ask_mode'] + ' search + extractive answer)'} | {d['p50']} | "
                  f"{d['p95']} | {d['p99']} |" for m, d in v["latency_ms"].items()]
        lines.append("")
    if "ann" in res:
        a = res["ann"]
        lines += [f"## Vector search at {a['vectors']:,} synthetic vectors ({a['queries']} queries, one thread), "
                  f"peak RSS {a['peak_rss_mb']} MB", "",
                  "| index | recall@10 vs exact | p50 ms | p95 ms | p99 ms | build s | bytes/passage |",
                  "|---|---|---|---|---|---|---|"]
        lines += [f"| {k} | {v['recall@10']} | {v['latency_ms']['p50']} | {v['latency_ms']['p95']} | "
                  f"{v['latency_ms']['p99']} | {v['build_s']} | {v['bytes_per_passage']:,} |" for k, v in a["indexes"].items()]
        lines.append("")
    if "bm25" in res:
        b = res["bm25"]
        lines += [f"## BM25 at {b['passages']:,} passages (real passages repeated)", "",
                  f"build {b['build_s']} s; query p50 {b['latency_ms']['p50']} ms, p95 {b['latency_ms']['p95']} ms, "
                  f"p99 {b['latency_ms']['p99']} ms; peak RSS {b['peak_rss_mb']} MB; load {b['load']}", ""]
    if "ingest" in res:
        i = res["ingest"]
        if "error" in i:
            lines += ["## Ingest", "", f"failed: {i['error']}", ""]
        else:
            lines += [f"## Ingest, first {i['limit'] or 'all'} opinions of the corpus ({i['opinions']} opinions, "
                      f"{i['passages']:,} passages), old vs new in one run", "",
                      f"old (1 process, eyecite default tokenizer) {i['old_seconds']} s; new ({i['workers']} workers + "
                      f"writer, Hyperscan prefilter) {i['new_seconds']} s = **{i['ratio']:.2f} x** the old time "
                      f"(+ {i['hyperscan_compile_seconds']} s one-time Hyperscan build); stores identical: "
                      f"{i['identical_stores']}; peak RSS {i['peak_rss_mb']} MB; load {i['load_average']}", ""]
    lines += ["Command: `" + res["command"] + "`", ""]
    return "\n".join(lines)


def plot(res: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = [k for k in ("embed", "llamaindex", "latency", "ann") if k in res or (k == "latency" and any(
        x.startswith("latency:") for x in res))]
    if not panels:
        return
    fig, axes = plt.subplots(1, len(panels), figsize=(5.5 * len(panels), 4.2))
    axes = [axes] if len(panels) == 1 else list(axes)
    for ax, p in zip(axes, panels):
        if p == "embed":
            runs = res["embed"]["runs"]
            ax.barh(list(runs), [v["passages_per_s"] for v in runs.values()], color="#4c72b0")
            ax.set_xlabel("passages / s (same passages, same run)")
            ax.set_title("Embedding throughput")
        elif p == "llamaindex":
            us, li = res["llamaindex"]["qa_bot"], res["llamaindex"]["llamaindex"]
            labels = [f"{s} hit@10" for s in DEV_SETS]
            bars = {"qa-bot hybrid": [us["quality"][s]["hybrid hit@10"] for s in DEV_SETS],
                    "qa-bot dense": [us["quality"][s]["dense hit@10"] for s in DEV_SETS],
                    "LlamaIndex (dense)": [li["quality"][s]["dense hit@10"] for s in DEV_SETS]}
            w = 0.8 / len(bars)
            for j, (name, vals) in enumerate(bars.items()):
                ax.bar([i + (j - 1) * w for i in range(len(labels))], vals, width=w, label=name)
            ax.set_xticks(range(len(labels)), labels)
            ax.set_ylim(0, 1)
            ax.legend(fontsize=8, loc="lower right")
            ax.set_title(f"vs LlamaIndex: model tokens embedded/s {us['tokens_embedded_per_s']:,} vs "
                         f"{li['tokens_embedded_per_s']:,}", fontsize=9)
        elif p == "latency":
            keys = [k for k in res if k.startswith("latency:")]
            labels, p50, p95 = [], [], []
            for k in keys:
                for m, d in res[k]["latency_ms"].items():
                    syn = " (synthetic)" if res[k].get("synthetic_vectors") and m != "bm25" else ""
                    labels.append(f"{k.split(':', 1)[1]} {m}{syn}")
                    p50.append(d["p50"])
                    p95.append(d["p95"])
            y = range(len(labels))
            ax.barh([i + 0.2 for i in y], p95, height=0.4, label="p95", color="#dd8452")
            ax.barh([i - 0.2 for i in y], p50, height=0.4, label="p50", color="#55a868")
            ax.set_yticks(list(y), labels)
            ax.set_xscale("log")
            ax.set_xlabel("ms (log)")
            ax.legend()
            ax.set_title("Query latency")
        else:
            idx = res["ann"]["indexes"]
            for k, v in idx.items():
                ax.scatter(v["latency_ms"]["p95"], v["recall@10"], s=40)
                ax.annotate(k.replace(" nlist=", "\nnlist="), (v["latency_ms"]["p95"], v["recall@10"]), fontsize=7)
            ax.axhline(0.95, color="grey", ls=":")
            ax.axvline(50, color="grey", ls=":")
            ax.set_xscale("log")
            ax.set_xlabel("p95 ms per query (log)")
            ax.set_ylabel("recall@10 vs exact")
            ax.set_title(f"{res['ann']['vectors']:,} synthetic vectors")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def parse(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", default="demo", help="the demo-size library (default demo)")
    ap.add_argument("--corpus-index", default="", help="the whole-corpus library (e.g. scotus); empty: skip")
    ap.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpora" / "scotus-citator"))
    ap.add_argument("--sections", default=",".join(SECTIONS))
    ap.add_argument("--passages", type=int, default=512, help="passages for the embedding comparison")
    ap.add_argument("--million", type=int, default=1_000_000, help="passages for the ann and bm25 sections")
    ap.add_argument("--no-hnsw", action="store_true", help="skip building HNSW in the ann section")
    ap.add_argument("--ingest-limit", type=int, default=120)
    ap.add_argument("--llamaindex-python", default=os.environ.get("QA_BOT_LLAMAINDEX_PYTHON", ""),
                    help="a Python with llama-index-core + llama-index-embeddings-huggingface (llamaindex section)")
    ap.add_argument("--out", default=str(ROOT / "eval" / "reports"))
    ap.add_argument("--name", default="bench_all")

    def error(msg):
        raise BenchError(msg)

    ap.error = error
    args = ap.parse_args(argv)
    secs = [s.strip() for s in args.sections.split(",") if s.strip()]
    bad = [s for s in secs if s not in SECTIONS]
    if bad or not secs:
        raise BenchError(f"--sections {args.sections!r}: choose from {', '.join(SECTIONS)}")
    for name in ("passages", "million", "ingest_limit"):
        if getattr(args, name) <= 0:
            raise BenchError(f"--{name.replace('_', '-')} must be a positive number")
    if ("bm25" in secs) and not args.corpus_index:
        raise BenchError("--sections bm25 needs --corpus-index (a library whose passages are repeated)")
    if "llamaindex" in secs and not (args.llamaindex_python and Path(args.llamaindex_python).is_file()):
        raise BenchError(f"--llamaindex-python {args.llamaindex_python!r}: the llamaindex section needs a Python "
                         "with llama-index-core and llama-index-embeddings-huggingface (its own virtualenv)")
    if "ingest" in secs and not Path(args.corpus).is_dir():
        raise BenchError(f"--corpus {args.corpus}: no such folder")
    args.sections = secs
    return args


def main(argv: list[str] | None = None) -> int:
    try:
        args = parse(sys.argv[1:] if argv is None else argv)
        res: dict = {"started": time.strftime("%Y-%m-%d %H:%M"), "cpus": os.cpu_count(), "load_start": load(),
                     "command": "eval/bench_all.py " + " ".join(sys.argv[1:] if argv is None else argv)}
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        for s in args.sections:
            print(f"[{time.strftime('%H:%M:%S')}] {s} (load {load()})", file=sys.stderr, flush=True)
            if s == "embed":
                res["embed"] = bench_embed(args.index, args.passages)
            elif s == "quality":
                res["quality"] = bench_quality(args.index, args.corpus_index or None)
            elif s == "latency":
                for ix in [args.index] + ([args.corpus_index] if args.corpus_index else []):
                    res[f"latency:{ix}"] = _in_child(bench_latency, ix)
            elif s == "ann":
                res["ann"] = _in_child(bench_ann, args.index, args.million, 200, not args.no_hnsw)
            elif s == "bm25":
                res["bm25"] = _in_child(bench_bm25, args.corpus_index, args.million)
            elif s == "ingest":
                res["ingest"] = bench_ingest(args.corpus, args.ingest_limit)
            elif s == "first_answer":
                res["first_answer"] = bench_first_answer()
            elif s == "llamaindex":
                res["llamaindex"] = bench_llamaindex(args.llamaindex_python)
            (out / f"{args.name}.json").write_text(json.dumps(res, indent=1) + "\n", encoding="utf-8")
        res["load_end"] = load()
        (out / f"{args.name}.json").write_text(json.dumps(res, indent=1) + "\n", encoding="utf-8")
        (out / f"{args.name}.md").write_text(markdown(res), encoding="utf-8")
        plot(res, out / f"{args.name}.png")
        print(markdown(res))
        return 0
    except BenchError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
