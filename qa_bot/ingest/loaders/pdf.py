"""PDF opinions with a text layer, read with pypdf.

Every PDF page starts a reporter page: its number is ``first_page + i`` when the sidecar
``NAME.json`` gives ``first_page``, else the PDF's own page label when it defines numeric labels,
else the 1-based PDF page number. Lines are joined into paragraphs (a paragraph ends at a blank line
or at a short line that ends a sentence); words hyphenated across a line break are re-joined; a
paragraph that runs on over a page break stays one block with the page break inside it. A bare page
number as the first or last line of a page (running header/footer) is dropped.

No extractable text -> ``InputError("no text layer (scanned?); run OCR first")``; encrypted or
unreadable PDFs -> ``InputError`` saying which.
"""

from __future__ import annotations

import io
import logging
import re
from pathlib import Path
from typing import Iterator

from ...errors import InputError
from ...types import Document
from ._common import build, read_sidecar, sha256_bytes
from ._markup import RawBlock

NAME = "pdf"
DESCRIPTION = "PDF with a text layer (.pdf)"

_PAGE_NUMBER_LINE = re.compile(r"^[-–—\s]*\d{1,5}[-–—\s]*$")
_SENTENCE_END = re.compile(r"[.:?!\"”’)]$")


def sniff(path: Path, head: bytes) -> bool:
    return path.is_file() and (path.suffix.lower() == ".pdf" or head.startswith(b"%PDF-"))


def load(path: Path) -> Iterator[Document]:
    import pypdf

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # its repair notes are not the user's business
    data = path.read_bytes()
    src = str(path)
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                ok = reader.decrypt("")
            except Exception:  # noqa: BLE001 - pypdf raises several types for unsupported crypto
                ok = 0
            if not ok:
                raise InputError(src, "encrypted PDF; remove the password first")
        pages = [page.extract_text() or "" for page in reader.pages]
        labels = _labels(reader)
    except InputError:
        raise
    except NotImplementedError as e:
        raise InputError(src, f"uses a PDF feature the reader does not support ({e})") from None
    except RecursionError:
        raise InputError(src, "not a readable PDF (its objects are nested too deeply)") from None
    except Exception as e:  # noqa: BLE001 - pypdf raises many types for malformed files
        raise InputError(src, f"not a readable PDF ({type(e).__name__}: {e})") from None
    if not pages:
        raise InputError(src, "PDF has no pages")
    if not any(p.strip() for p in pages):
        raise InputError(src, "no text layer (scanned?); run OCR first")
    meta = read_sidecar(path)
    if meta.first_page is not None:
        numbers = [meta.first_page + i for i in range(len(pages))]
    elif labels:
        numbers = labels
    else:
        numbers = list(range(1, len(pages) + 1))
    blocks = paragraphs(pages, numbers)
    yield build(blocks, True, meta, src, sha256_bytes(data), fmt=NAME)


def _labels(reader) -> list[int] | None:
    """Numeric page labels when the PDF defines /PageLabels, else None."""
    try:
        if "/PageLabels" not in reader.trailer["/Root"]:
            return None
        labels = list(reader.page_labels)
    except Exception:  # noqa: BLE001 - malformed label trees are ignored, numbering falls back
        return None
    if len(labels) != len(reader.pages) or not all(lb.isdigit() for lb in labels):
        return None
    return [int(lb) for lb in labels]


def paragraphs(pages: list[str], numbers: list[int]) -> list[RawBlock]:
    """Page texts -> paragraph blocks, each page's start recorded as a page break."""
    blocks: list[RawBlock] = []
    cur: RawBlock | None = None
    pending_page: int | None = None
    for text, number in zip(pages, numbers):
        lines = [ln.strip() for ln in text.replace("\r", "\n").split("\n")]
        while lines and not lines[0]:
            lines.pop(0)
        while lines and not lines[-1]:
            lines.pop()
        if lines and _PAGE_NUMBER_LINE.match(lines[0]):
            lines.pop(0)
        if lines and _PAGE_NUMBER_LINE.match(lines[-1]):
            lines.pop()
        width = max((len(ln) for ln in lines), default=0)
        pending_page = number
        for ln in lines:
            if not ln:
                cur = None
                continue
            if cur is None:
                cur = RawBlock(text="")
                blocks.append(cur)
            cur.text = _join(cur.text, ln)
            if pending_page is not None:
                cur.page_breaks.append((len(cur.text) - len(ln), pending_page))
                pending_page = None
            if _SENTENCE_END.search(ln) and len(ln) < 0.8 * width:
                cur = None
    return [b for b in blocks if b.text.strip()]


def _join(text: str, line: str) -> str:
    if not text:
        return line
    if re.search(r"[a-z]-$", text) and line[:1].islower():
        return text[:-1] + line
    return text + " " + line
