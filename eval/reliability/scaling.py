"""Ingest CPU time for hostile input shapes at n, 2n and 4n: linear code takes ~4x at 4n, quadratic ~16x.

    python eval/reliability/scaling.py N [SHAPE ...]      (README "Reliability" used N = 4000)

Each shape (a long word, star pages, markup-like runs, full stops, many pages, footnotes with and without
markers, citations, nesting, ...) is written to a file and ingested without embedding into a fresh
library; the CPU seconds of the ingest (process time, so the machine's load matters little) are printed
for n, 2n and 4n, and the ratio 4n / n. A shape stops growing once one size takes over 20 s.
"""
from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

from qa_bot.library import Library



def shapes(n: int):
    yield "word", "txt", "The court held. " + "a" * (10 * n)
    yield "star", "txt", "The court held. " + "*1" * (5 * n)
    yield "bold", "txt", "The court held. " + "<b>" * (3 * n)
    yield "xdot", "txt", "The court held. " + "x. " * (3 * n)
    yield "adot", "txt", "the court held. " + "a.a" * (3 * n)
    yield "pages", "txt", "\n".join(f"Paragraph {k} of the opinion. *{k+1} More text here." for k in range(n // 4))
    yield "notes_nomark", "txt", "\n".join(f"Body line {k} says the court held so." for k in range(n // 8)) + "\n" + "\n".join(f". note {k}" for k in range(n // 8))
    yield "notes_mark", "txt", "\n".join(f"Body line{k+1} says the court held so." for k in range(n // 8)) + "\n" + "\n".join(f". note {k}" for k in range(n // 8))
    yield "cites", "txt", "The court held. " + "See 5 U.S. 1, 3 (1803); " * (n // 8)
    yield "nest", "html", "<p>The court held.</p>" + "<div>" * (n // 4) + "text" + "</div>" * (n // 4)
    yield "htmlpages", "html", "".join(f'<p>Para {k} text. <span class="star-pagination">*{k+1}</span> more.</p>' for k in range(n // 8))
    yield "manyp", "html", "".join(f"<p>Paragraph {k} of the opinion holds.</p>" for k in range(n // 8))
    yield "hyph", "txt", "The court held. " + "a-" * (5 * n)
    yield "spaces", "txt", "The court held." + " " * (10 * n) + "Done."


def run(name: str, ext: str, text: str, tmp: Path) -> tuple[float, str]:
    p = tmp / f"{name}.{ext}"
    p.write_text(text)
    lib = Library.open(tmp / "lib", create=True)
    t = time.process_time()
    r = lib.ingest([p], embed=False)
    dt = time.process_time() - t
    lib.close()
    shutil.rmtree(tmp / "lib")
    return dt, r.summary()


def main() -> None:
    which = sys.argv[2:]
    n0 = int(sys.argv[1])
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        run("warm", "txt", "The court held that it is so. " * 50, tmp)
        for sh in shapes(n0):
            name = sh[0]
            if which and name not in which:
                continue
            out = []
            for f in (1, 2, 4):
                sh2 = dict((s[0], s) for s in shapes(n0 * f))[name]
                dt, summ = run(*sh2, tmp)
                out.append(dt)
                if dt > 20:
                    break
            sizes = "  ".join(f"{x:6.2f}" for x in out)
            ratio = out[-1] / max(out[0], 1e-3)
            print(f"{name:14} {len(sh[2]):>8} chars  {sizes}   ratio {ratio:.1f}  {summ}", flush=True)


if __name__ == "__main__":
    main()
