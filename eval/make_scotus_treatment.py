"""Build eval/sets/scotus_treatment.jsonl from the FLP SCOTUS citator corpus.

Reads ../shared/corpora/scotus-citator/treatment_pairs.jsonl (+ cases.jsonl) and, for every pair whose
evidence quote was found verbatim and whose citing opinion file exists, writes

  "How did <citing case> treat <cited case>?"   id treat-<pair_id>, tags [<label lowercased>, "treatment"]
  "Which decision overruled <cited case>?"      id overruled-<pair_id>, tags ["overruled"]
                                                (pairs labelled Overruled or with congress_gov_overruled == "yes")

Evidence is the pair's evidence_quote in the citing opinion (case = citing case name, citation = its U.S. cite,
pin = the U.S. Reports page where the quote starts, from the file's star pagination). Questions with the same
text are merged (evidence items combined, id of the first pair kept). Every quote is checked against the citing
opinion file's text after stripping markup and star-page markers (NFKC, lower case, ASCII quotes and dashes,
whitespace collapsed, as eval-format.md matches); quotes not found are skipped and counted.

    .venv/bin/python eval/make_scotus_treatment.py [--corpus ../shared/corpora/scotus-citator] [--out eval/sets/scotus_treatment.jsonl]
"""

from __future__ import annotations

import argparse
import html
import json
import re
import sys
import unicodedata
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpora" / "scotus-citator"
DEFAULT_OUT = ROOT / "eval" / "sets" / "scotus_treatment.jsonl"

# Star-page markers: <span class="star-pagination" label="642"> *642 </span> and <page-number label="718">*718</page-number>
STAR_ELEMENT = re.compile(
    r"<span\b[^>]*class=\"star-pagination\"[^>]*>(.*?)</span>|<page-number\b[^>]*>(.*?)</page-number>",
    re.S,
)
BLOCK_TAG = re.compile(
    r"</?(?:p|blockquote|h\d|div|br|center|author|opinion|judges|footnote|footnotes|pre|li|ul|ol|table|tr|td)\b[^>]*>",
    re.I,
)
ANY_TAG = re.compile(r"<[^>]+>")
BARE_STAR = re.compile(r"(?<![\w*])\*\d{1,4}(?!\d)")
SENTINEL = "\x00"
TRANSLATE = str.maketrans({"‘": "'", "’": "'", "‚": "'", "‛": "'", "“": '"', "”": '"', "„": '"', "‟": '"',
                           "–": "-", "—": "-", "‐": "-", "‑": "-", "‒": "-", "―": "-", "−": "-"})


def normalise(text: str) -> str:
    """eval-format.md matching normalisation: NFKC, lower case, ASCII quotes/dashes, one space per whitespace run."""
    text = unicodedata.normalize("NFKC", text).lower().translate(TRANSLATE)
    return re.sub(r"\s+", " ", text).strip()


def page_text(raw: str) -> tuple[str, list[tuple[int, int]]]:
    """Normalised plain text of an opinion file and its star pages as (offset where page starts, page)."""
    pages: list[int] = []

    def star(m: re.Match) -> str:
        digits = re.search(r"\d+", m.group(1) or m.group(2) or "")
        if not digits:
            return " "
        pages.append(int(digits.group()))
        return SENTINEL

    text = STAR_ELEMENT.sub(star, raw)
    text = BLOCK_TAG.sub(" ", text)
    text = ANY_TAG.sub("", text)
    text = html.unescape(text)
    text = BARE_STAR.sub(" ", text)
    text = tidy(normalise(text))
    # A marker with whitespace on either side stands between words; one glued on both sides splits a word.
    parts = re.split(r"(\s*)" + SENTINEL + r"(\s*)", text)
    out, marks, offset = [parts[0]], [], len(parts[0])
    for k in range(1, len(parts), 3):
        sep = " " if offset and (parts[k] or parts[k + 1]) else ""
        out.append(sep)
        offset += len(sep)
        marks.append((offset, pages[k // 3]))
        out.append(parts[k + 2])
        offset += len(parts[k + 2])
    text = "".join(out)
    if text != text.rstrip():
        text = text.rstrip()
        marks = [(o, p) for o, p in marks if o <= len(text)]
    return text, marks


PUNCT_SPACE = (re.compile(r"\s+([,.;:)\]])"), re.compile(r"([(\[])\s+"))
ELLIPSIS = re.compile(r"\s*(?:\.\s?\.\s?\.|…)\s*")
MIN_SEGMENT = 40  # shortest piece of an elided quote worth keeping as evidence


def tidy(text: str) -> str:
    """Collapse whitespace and drop spaces before closing / after opening punctuation (inline-tag artefacts)."""
    text = re.sub(r"\s+", " ", text).strip()
    text = PUNCT_SPACE[0].sub(r"\1", text)
    return PUNCT_SPACE[1].sub(r"\1", text)


def candidate_quotes(quote: str) -> list[str]:
    """The quote without star markers, then (if it elides text with '...') its pieces, longest first."""
    quote = tidy(BARE_STAR.sub(" ", quote))
    whole = ELLIPSIS.sub(" ... ", quote).strip(" .…")
    pieces = [tidy(x).strip(" ") for x in ELLIPSIS.split(quote)]
    pieces = [x for x in pieces if len(x) >= MIN_SEGMENT]
    out = [] if "..." in whole else [tidy(quote.strip(" …").removesuffix("...").removeprefix("..."))]
    out += sorted(pieces, key=len, reverse=True)
    return [q for i, q in enumerate(out) if q and q not in out[:i]]


def find_quote(cand: str, text: str, loose_text: str) -> tuple[str, int]:
    """Find a candidate quote in the normalised text; quote marks may differ (' for "), and are then taken from
    the text. Returns (quote as stored, offset) or ("", -1)."""
    q = tidy(unicodedata.normalize("NFKC", cand).translate(TRANSLATE))
    if len(q.lower()) != len(q):
        q = q.lower()
    at = loose_text.find(q.lower().replace('"', "'"))
    if at < 0:
        return "", -1
    q = "".join(text[at + j] if ch in "'\"" else ch for j, ch in enumerate(q))
    assert text.find(tidy(normalise(q))) >= 0
    return q, at


def pin_at(marks: list[tuple[int, int]], i: int) -> str | None:
    page = None
    for offset, p in marks:
        if offset <= i:
            page = p
        else:
            break
    if page is None and marks:
        page = marks[0][1] - 1  # text before the first marker stands on the page before it
    return str(page) if page is not None else None


def clean_name(name: str) -> str:
    return re.sub(r"\s+", " ", name).strip()


def build(corpus: Path) -> tuple[list[dict], Counter]:
    cases = {}
    with (corpus / "cases.jsonl").open(encoding="utf-8") as f:
        for line in f:
            c = json.loads(line)
            cases[c["cluster_id"]] = c
    pairs = [json.loads(line) for line in (corpus / "treatment_pairs.jsonl").open(encoding="utf-8")]

    counts: Counter = Counter()
    texts: dict[str, tuple[str, list[tuple[int, int]]]] = {}
    questions: dict[str, dict] = {}  # question text -> row

    def add(qid: str, question: str, item: dict, tags: list[str], answer: str) -> None:
        row = questions.get(question)
        if row is None:
            questions[question] = {"id": qid, "question": question, "answerable": True, "evidence": [item],
                                   "reference_answer": answer, "tags": list(tags)}
            return
        counts["merged_" + tags[-1]] += 1
        if item not in row["evidence"]:
            row["evidence"].append(item)
        for t in tags:
            if t not in row["tags"]:
                row["tags"].insert(len(row["tags"]) - 1, t)
        if answer not in row["reference_answer"]:
            row["reference_answer"] += " " + answer

    for p in pairs:
        counts["pairs"] += 1
        if not p.get("evidence_found_verbatim"):
            counts["skipped_not_verbatim"] += 1
            continue
        rel = p.get("evidence_opinion_file")
        path = corpus / rel if rel else None
        if path is None or not path.is_file():
            counts["skipped_no_citing_file"] += 1
            continue
        if rel not in texts:
            text, marks = page_text(path.read_text(encoding="utf-8"))
            texts[rel] = (text, marks, text.replace('"', "'"))
        text, marks, loose_text = texts[rel]
        quote, at = "", -1
        for i, cand in enumerate(candidate_quotes(p["evidence_quote"])):
            quote, at = find_quote(cand, text, loose_text)
            if quote:
                if i or "..." in p["evidence_quote"] or "…" in p["evidence_quote"]:
                    counts["quotes_trimmed_at_ellipsis"] += 1
                break
        if not quote:
            counts["skipped_quote_not_in_text"] += 1
            continue
        citing = cases.get(p["citing_cluster_id"], {})
        cited = cases.get(p["cited_cluster_id"], {})
        citing_name = clean_name(citing.get("case_name") or p["citing_case_name"])
        citing_cite = citing.get("us_citation") or p["citing_us_citation"]
        citing_year = citing.get("year") or p.get("citing_year")
        cited_name = clean_name(cited.get("case_name") or p["cited_case_name"])
        cited_cite = cited.get("us_citation") or p["cited_us_citation"]
        item = {"quote": quote, "case": citing_name, "citation": citing_cite}
        pin = pin_at(marks, at)
        if pin:
            item["pin"] = pin
        label = p["treatment_label"]

        add(f"treat-{p['pair_id']}", f"How did {citing_name} treat {cited_name}?", item,
            [label.lower(), "treatment"],
            f"{citing_name}, {citing_cite} ({citing_year}), {label.lower()} {cited_name}, {cited_cite}.")
        counts["treatment_pairs_used"] += 1
        if label == "Overruled" or p.get("congress_gov_overruled") == "yes":
            add(f"overruled-{p['pair_id']}", f"Which decision overruled {cited_name}?", item, ["overruled", "which-overruled"],
                f"{cited_name}, {cited_cite}, was overruled by {citing_name}, {citing_cite} ({citing_year}).")
            counts["overruled_pairs_used"] += 1
            if label != "Overruled":
                counts["overruled_from_congress_gov_only"] += 1

    rows = list(questions.values())
    return rows, counts


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args(argv)
    rows, counts = build(args.corpus)
    ids = [r["id"] for r in rows]
    if len(set(ids)) != len(ids):
        raise ValueError("duplicate ids")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    tags = Counter(t for r in rows for t in r["tags"])
    print(f"wrote {len(rows)} questions to {args.out}")
    print("counts: " + ", ".join(f"{k}={v}" for k, v in sorted(counts.items())))
    print("questions by tag: " + ", ".join(f"{t}={c}" for t, c in tags.most_common()))
    print(f"evidence items: {sum(len(r['evidence']) for r in rows)}; with pin: "
          f"{sum('pin' in e for r in rows for e in r['evidence'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
