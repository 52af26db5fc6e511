"""Speed of evidence matching (``qa_bot.evaluation.evalset.has_run``) against difflib's longest match, on the scale
of an eval run (1000 questions x 10 passages). Prints seconds and the ratio; asserts they agree.

    .venv/bin/python eval/bench_matching.py
"""

from __future__ import annotations

import math
import random
import time
from difflib import SequenceMatcher
from pathlib import Path

from qa_bot.evaluation.evalset import MIN_RUN, has_run
from qa_bot.text import normalize

TEXT = Path(__file__).resolve().parent.parent / "tests" / "data" / "pena-v-deprisco.txt"


def difflib_run(quote: str, text: str) -> bool:
    m = SequenceMatcher(None, quote, text, autojunk=False).find_longest_match(0, len(quote), 0, len(text))
    return quote in text or m.size >= math.ceil(MIN_RUN * len(quote) - 1e-9)


def main(n_questions: int = 1000, per_question: int = 10) -> None:
    paras = [p for p in TEXT.read_text(encoding="utf-8").splitlines() if len(p) > 300]
    rng = random.Random(1)
    passages = [normalize(p[:1000]) for p in paras]
    pairs = []
    for _ in range(n_questions):
        p = rng.choice(paras)
        a = rng.randrange(0, len(p) - 200)
        q = normalize(p[a : a + rng.randint(60, 400)])
        pairs += [(q, t) for t in rng.sample(passages, per_question)]
    t0 = time.perf_counter()
    fast = [has_run(q, t) for q, t in pairs]
    t_fast = time.perf_counter() - t0
    sample = pairs[:: 10]
    t0 = time.perf_counter()
    slow = [difflib_run(q, t) for q, t in sample]
    t_slow = (time.perf_counter() - t0) * len(pairs) / len(sample)
    assert slow == fast[:: 10], "has_run and difflib disagree"
    print(f"{len(pairs)} quote/passage pairs: has_run {t_fast:.3f}s, difflib (extrapolated) {t_slow:.2f}s, "
          f"ratio {t_slow / t_fast:.0f}x; {sum(fast)} matches")


if __name__ == "__main__":
    main()
