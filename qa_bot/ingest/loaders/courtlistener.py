"""One CourtListener opinion file: html_with_citations, xml_harvard, html_columbia or html_lawbox.

Accepts ``.html``/``.htm``/``.xml``, and ``.txt`` (or extension-less) files whose content starts
with markup, as in the scotus-citator corpus. The markup is turned into blocks by
``_markup.parse_markup`` (star pagination, footnote markers and footnotes, Harvard opinion parts).
Metadata comes from an optional sidecar ``NAME.json`` (same keys as for plain text); what it leaves
empty is filled, when possible, from the caption CourtListener puts at the top of
html_with_citations ("389 U.S. 347 (1967)", "KATZ v. UNITED STATES.").
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator

from ...text import decode_utf8
from ...types import Document
from ._common import build, fill_from_caption, read_sidecar, sha256_bytes
from ._markup import parse_markup

NAME = "courtlistener"
DESCRIPTION = "CourtListener opinion markup (.html/.xml, or .txt starting with '<'): html_with_citations, xml_harvard, html_columbia"

_MARKUP_START = re.compile(rb"^(?:\xef\xbb\xbf)?\s*<(?:[a-zA-Z!?])")


def sniff(path: Path, head: bytes) -> bool:
    if not path.is_file():
        return False
    suffix = path.suffix.lower()
    if suffix in (".html", ".htm", ".xml"):
        return True
    return suffix in (".txt", "") and bool(_MARKUP_START.match(head))


def load(path: Path) -> Iterator[Document]:
    data = path.read_bytes()
    blocks, has_pages = parse_markup(decode_utf8(data, str(path)), str(path))
    meta = read_sidecar(path)
    meta = fill_from_caption(meta, blocks)
    yield build(blocks, has_pages, meta, str(path), sha256_bytes(data), fmt=NAME)


