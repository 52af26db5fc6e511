"""The variant that does not ship: the whole MiniLM fine-tuned on the same pin-cite pairs, measured on a re-embedded copy.

    .venv/bin/python eval/finetune_minilm.py --corpus <scotus library> --work <folder of train_query_adapter.py>
        --index demo [--epochs 1] [--json eval/reports/finetune_minilm.json]

Uses the pairs ``eval/train_query_adapter.py`` wrote (``pairs.jsonl``; the same split by cited opinion: the
held-out cited opinions are not trained on), the multiple-negatives ranking loss (in-batch negatives,
scale 20 = temperature 0.05, as sentence-transformers' ``MultipleNegativesRankingLoss``; its ``fit`` needs
``datasets``, which is not a dependency) with one positive passage per pair (the first on the pin page), then: held-out recall@10
(each held-out query against the held-out pairs' passages, base model vs fine-tuned) and both dev sets on a
copy of the library re-embedded with the fine-tuned model (dense and hybrid retrieval, extractive answers).
Its cost is what makes it unshippable: a 90 MB model and every user's library re-embedded.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "eval"))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--index", default="demo")
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--lr", type=float, default=2e-5)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--holdout", type=float, default=0.2)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--train-tokens", type=int, default=128, help="max tokens per text while training")
    ap.add_argument("--json", default=None)
    args = ap.parse_args(argv)
    import torch
    from sentence_transformers import SentenceTransformer

    import adapter_levers
    import train_query_adapter as tqa
    from qa_bot import offline
    from qa_bot.index.embed import Embedder
    from qa_bot.ingest.store import Store
    from qa_bot.library import Library
    from qa_bot.paths import resolve_index
    from qa_bot.settings import EmbedSettings, Settings

    torch.manual_seed(args.seed)
    random.seed(args.seed)
    np.random.seed(args.seed)
    work = Path(args.work)
    pairs = [json.loads(x) for x in (work / "pairs.jsonl").read_text().splitlines()]
    cited = sorted({p["cited"] for p in pairs})
    random.Random(args.seed).shuffle(cited)
    held = set(cited[: int(len(cited) * args.holdout)])
    train = [p for p in pairs if p["cited"] not in held]
    val = [p for p in pairs if p["cited"] in held]
    store = Store(Path(args.corpus), create=False)
    ids = sorted({i for p in pairs for i in p["positives"]})
    texts = {p.id: p.text for p in store.passages(ids)}
    store.close()
    out: dict = {"train_pairs": len(train), "heldout_pairs": len(val)}

    model_dir = work / "finetuned-minilm"
    t0 = time.time()
    if not (model_dir / "config.json").exists():
        import torch.nn.functional as F

        model = SentenceTransformer(offline.resolve_model(tqa.MODEL), device="cpu")
        full_length = model.max_seq_length
        model.max_seq_length = args.train_tokens  # training only: half the tokens, about half the time
        model.train()
        opt = torch.optim.AdamW(model.parameters(), lr=args.lr)
        rng = random.Random(args.seed)
        for ep in range(args.epochs):
            order = list(train)
            rng.shuffle(order)
            for step, lo in enumerate(range(0, len(order) - args.batch + 1, args.batch)):
                batch = order[lo:lo + args.batch]
                q = F.normalize(model(model.tokenize([p["query"] for p in batch]))["sentence_embedding"], dim=-1)
                d = F.normalize(model(model.tokenize([texts[p["positives"][0]] for p in batch]))["sentence_embedding"],
                                dim=-1)
                # MultipleNegativesRankingLoss: in-batch negatives, scale 20 (temperature 0.05)
                loss = F.cross_entropy(q @ d.T * 20.0, torch.arange(len(batch)))
                opt.zero_grad()
                loss.backward()
                opt.step()
                if step % 10 == 0:
                    print(f"epoch {ep} step {step} loss {float(loss.detach()):.3f} {time.time() - t0:.0f}s", flush=True)
        model.eval()
        model.max_seq_length = full_length
        model.save(str(model_dir))
    out["train_seconds"] = round(time.time() - t0, 1)
    out["model_mb"] = round(sum(f.stat().st_size for f in model_dir.rglob("*") if f.is_file()) / 1e6, 1)
    print(json.dumps(out), flush=True)

    # held-out recall@10: the held-out queries against the held-out pairs' passages, both models
    vid = sorted({i for p in val for i in p["positives"]})
    col = {pid: j for j, pid in enumerate(vid)}
    pos = [{col[i] for i in p["positives"]} for p in val]
    cache = tqa.Cache(work / "vectors")
    base = Embedder(EmbedSettings(model=tqa.MODEL))
    out["heldout_recall@10"] = {"base": tqa.recall_at(cache.embed("query", [p["query"] for p in val], base),
                                                      cache.embed("passage", [texts[i] for i in vid], base), pos)}
    t1 = time.time()
    ft = Embedder(EmbedSettings(model=str(model_dir)))
    out["heldout_recall@10"]["finetuned"] = tqa.recall_at(ft.encode_queries([p["query"] for p in val]),
                                                          ft.encode_documents([texts[i] for i in vid]), pos)
    out["heldout_pool"] = len(vid)
    print(json.dumps(out), flush=True)

    # both dev sets on a copy of the library re-embedded with the fine-tuned model
    with tempfile.TemporaryDirectory(dir=work) as tmp:
        dest = Path(tmp) / "lib"
        shutil.copytree(resolve_index(args.index), dest)
        settings = Settings.preset().with_(embed={"model": str(model_dir)})
        t2 = time.time()
        with Library.open(dest, settings=settings) as lib:
            lib.sync(rebuild=True)
            out["reembed_seconds"] = round(time.time() - t2, 1)
            out["dev"] = adapter_levers.measure(lib)
    out["heldout_embed_seconds"] = round(time.time() - t1, 1)
    print(json.dumps(out, indent=1), flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
