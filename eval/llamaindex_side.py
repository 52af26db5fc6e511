"""LlamaIndex's default pipeline over given opinion files: the other side of ``eval/bench_all.py``'s
``llamaindex`` section, which runs this file with a Python that has ``llama-index-core`` and
``llama-index-embeddings-huggingface`` (a virtualenv of its own: qa-bot never imports LlamaIndex).

    python eval/llamaindex_side.py --model MODEL_FOLDER --questions QUESTIONS.json --out OUT.json FILE ...

What it does, as a user following LlamaIndex's starter example would, with nothing changed but the
embedding model (the same local sentence-transformers folder qa-bot uses, loaded offline):

1. ``SimpleDirectoryReader(input_files=FILE...).load_data()``: one ``Document`` per file, read as plain text
   (the Supreme Court files are HTML fragments in ``.txt`` files; LlamaIndex keeps the markup);
2. ``HuggingFaceEmbedding(model_name=MODEL_FOLDER)``: its defaults (batch 10, normalised vectors, the
   model's ``max_seq_length`` of 256 tokens: longer texts are truncated by sentence-transformers);
3. ``run_transformations(documents, Settings.transformations)``: the default node parser, a
   ``SentenceSplitter`` of 1,024 tiktoken tokens with 200 tokens of overlap, i.e. exactly what
   ``VectorStoreIndex.from_documents`` runs;
4. ``VectorStoreIndex(nodes, embed_model=...)``: embeds every node's text *with its metadata* (file name,
   path, type, size, dates: LlamaIndex's ``MetadataMode.EMBED``) into the in-memory ``SimpleVectorStore``;
5. ``index.as_retriever(similarity_top_k=10).retrieve(question)`` for each question (no LLM: LlamaIndex's
   default LLM is a hosted one, so "the first answer" here is the first retrieved top 10).

Timings are ``time.perf_counter`` seconds from the start of this process (imports included, as a user's
process would pay them). Tokens actually embedded: each node's embedded text counted with the model's own
tokenizer ([CLS]/[SEP] included), capped at the model's ``max_seq_length``.
"""

from __future__ import annotations

import time

T0 = time.perf_counter()

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", required=True, help="a local sentence-transformers model folder")
    ap.add_argument("--questions", required=True, help="JSON list of question strings")
    ap.add_argument("--out", required=True)
    ap.add_argument("files", nargs="+")
    args = ap.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    questions = json.load(open(args.questions, encoding="utf-8"))

    from llama_index.core import Settings, SimpleDirectoryReader, VectorStoreIndex
    from llama_index.core.ingestion import run_transformations
    from llama_index.core.schema import MetadataMode
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding

    t = {"imports": time.perf_counter() - T0}
    docs = SimpleDirectoryReader(input_files=args.files).load_data()
    t["read"] = time.perf_counter() - T0
    embed = HuggingFaceEmbedding(model_name=args.model, device="cpu")
    t["model"] = time.perf_counter() - T0
    nodes = run_transformations(docs, Settings.transformations)
    t["split"] = time.perf_counter() - T0
    index = VectorStoreIndex(nodes, embed_model=embed)
    t["embedded"] = time.perf_counter() - T0
    retriever = index.as_retriever(similarity_top_k=10)
    first = retriever.retrieve(questions[0])
    t["first_retrieval"] = time.perf_counter() - T0

    st = embed._model
    limit = int(st.max_seq_length)
    texts = [n.get_content(metadata_mode=MetadataMode.EMBED) for n in nodes]
    counts = [len(ids) for ids in st.tokenizer(texts, add_special_tokens=True, truncation=False)["input_ids"]]
    embedded = sum(min(c, limit) for c in counts)
    results, lat = [], []
    for q in questions:
        s = time.perf_counter()
        hits = retriever.retrieve(q)
        lat.append(time.perf_counter() - s)
        results.append([{"file": h.node.metadata.get("file_path", ""), "text": h.node.get_content(),
                         "score": h.score} for h in hits])
    from importlib.metadata import version

    out = {"seconds_from_start": {k: round(v, 2) for k, v in t.items()},
           "embed_seconds": round(t["embedded"] - t["split"], 2),
           "documents": len(docs), "nodes": len(nodes),
           "chunk_size": getattr(Settings.node_parser, "chunk_size", None),
           "chunk_overlap": getattr(Settings.node_parser, "chunk_overlap", None),
           "embed_batch_size": embed.embed_batch_size, "max_seq_length": limit,
           "node_tokens_model": sum(counts), "tokens_embedded": embedded,
           "nodes_truncated": sum(c > limit for c in counts),
           "first_hits": len(first), "query_seconds": lat, "results": results,
           "cpu_seconds": round(sum(getattr(resource.getrusage(resource.RUSAGE_SELF), f)
                                    for f in ("ru_utime", "ru_stime")), 1),
           "versions": {p: version(p) for p in ("llama-index-core", "llama-index-embeddings-huggingface",
                                                "sentence-transformers", "torch")}}
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(out, f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
