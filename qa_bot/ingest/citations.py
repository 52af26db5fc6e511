"""Citation finding with eyecite, made faster without changing what it finds.

``find`` is ``eyecite.get_citations`` with two speed-ups, both exact:

* **Hyperscan as a prefilter.** eyecite's own ``HyperscanTokenizer`` re-runs each extractor's regex on
  the matched slice alone, which loses the text around it: on the demo's 28 opinions it missed a
  citation in 4 (e.g. "18 U. S. C. § 242", "256 U.S. 263"). ``HyperscanPrefilter`` instead asks
  Hyperscan, in one pass over the text, which of eyecite's ~1,900 extractors can match anywhere, and
  runs exactly those extractors' own regexes over the whole text, as eyecite's default tokenizer
  does. The citations are therefore eyecite's own; only the extractors that cannot match are
  skipped. The compiled database (~65 MB) takes tens of seconds to build, so it is built only for a
  large batch and cached in the library folder (``cache/eyecite-hyperscan``); later batches load it.
* **The court lookup memoised.** ``eyecite.helpers.get_court_by_paren`` normalises every court in
  courts-db for each parenthetical it reads; it is a pure function of its argument, so its answers
  are cached.
* **No regex for a reference that cannot be there.** For every full case citation eyecite compiles a
  large regex (the case's party names, then whitespace, then a pin cite: "Katz, 389 U.S., at 361")
  and runs it over the rest of the text: ~3 ms per citation, a quarter of an opinion's ingest. A
  match must contain one of those names followed by whitespace, so when none occurs in the rest of
  the text the answer is known (none) without compiling anything; otherwise eyecite runs as is.

Without the ``hyperscan`` package (it has no wheel for some platforms), or for a small batch, eyecite's
default tokenizer picks the extractors: the same citations, slower. It returns them as a set, whose order
follows the extractor objects' memory addresses, so it changes from process to process; and where two
extractors match the same span differently ("791 S.W.2d, at 18": normalised "791 S.W.2d at 18" by one,
"791 S.W.2d, at 18" by the other), eyecite keeps the first. So its picks are run here in eyecite's own
order (``Ordered``), as eyecite's base tokenizer and the prefilter run them: an opinion is stored the same
in every process and whichever tokenizer found its citations (the whole corpus ingested twice differed in
Payne v. Tennessee before). Measured side by side: ``eval/bench_ingest_speed.py``.
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path

CACHE = Path("cache") / "eyecite-hyperscan"  # inside the library folder

_tokenizer = None  # None: eyecite's default tokenizer


def _prefilter_class():
    from eyecite.tokenizers import HyperscanTokenizer

    class HyperscanPrefilter(HyperscanTokenizer):
        """Runs eyecite's extractors over the whole text, but only those Hyperscan says can match."""

        def extract_tokens(self, text):
            hit: set[int] = set()
            self.hyperscan_db.scan(text.encode("utf8"), match_event_handler=lambda i, s, e, f, c: hit.add(i))
            for i, extractor in enumerate(self.extractors):
                if i in hit:
                    for m in extractor.get_matches(text):
                        yield extractor.get_token(m)

    return HyperscanPrefilter


def hyperscan_available() -> bool:
    try:
        import hyperscan  # noqa: F401
    except ImportError:
        return False
    return True


def is_cached(folder: Path) -> bool:
    cache = Path(folder) / CACHE
    return cache.is_dir() and any(cache.iterdir())


def use_hyperscan(folder: Path | None, extractors=None) -> bool:
    """Find citations with the Hyperscan prefilter from now on in this process (building or loading its
    database, cached under ``folder``). False when the ``hyperscan`` package is missing."""
    global _tokenizer
    if not hyperscan_available():
        return False
    cls = _prefilter_class()
    cache = None
    if folder is not None:
        cache = Path(folder) / CACHE
        cache.mkdir(parents=True, exist_ok=True)
    tok = cls(cache_dir=str(cache) if cache else None) if extractors is None else \
        cls(extractors=list(extractors), cache_dir=str(cache) if cache else None)
    tok.hyperscan_db  # compile (or load) now, not inside the first opinion
    _tokenizer = tok
    return True


def use_default() -> None:
    global _tokenizer
    _tokenizer = None


@functools.lru_cache(maxsize=1)
def _ordered_default():
    from eyecite.tokenizers import Tokenizer, default_tokenizer

    class Ordered(Tokenizer):
        """eyecite's default tokenizer's extractors (those its Aho-Corasick filter says can match), run in
        eyecite's order instead of a set's (see the module docstring)."""

        def get_extractors(self, text):
            found = default_tokenizer.get_extractors(text)
            return [e for e in self.extractors if e in found]

    return Ordered(extractors=list(default_tokenizer.extractors))


def tokenizer():
    return _tokenizer if _tokenizer is not None else _ordered_default()


@functools.lru_cache(maxsize=1)
def _memoise_court_lookup() -> None:
    import eyecite.helpers as helpers

    lookup = getattr(helpers, "get_court_by_paren", None)
    if lookup is not None and not hasattr(lookup, "cache_info"):
        helpers.get_court_by_paren = functools.lru_cache(maxsize=4096)(lookup)


def followed_by_space(name: str, text: str) -> bool:
    """``name`` occurs in ``text`` followed by whitespace (what the regex's ``\\s`` matches: ``str.isspace``)."""
    i = text.find(name)
    while i >= 0:
        j = i + len(name)
        if j < len(text) and text[j].isspace():
            return True
        i = text.find(name, i + 1)
    return False


@functools.lru_cache(maxsize=1)
def _skip_impossible_references() -> None:
    import eyecite.find as eyecite_find
    from eyecite.models import ReferenceCitation

    original = getattr(eyecite_find, "extract_pincited_reference_citations", None)
    fields = getattr(ReferenceCitation, "name_fields", None)
    if original is None or fields is None:  # another eyecite: leave it as it is
        return

    def extract_pincited_reference_citations(citation, plain_text: str) -> list:
        names = [v for key in fields if (v := getattr(citation.metadata, key, None))]
        if all(isinstance(v, str) for v in names):
            rest = plain_text[citation.span()[-1]:]
            if not any(followed_by_space(v, rest) for v in names):
                return []  # eyecite's regex needs one of these names, then whitespace: it would find nothing
        return original(citation, plain_text)

    eyecite_find.extract_pincited_reference_citations = extract_pincited_reference_citations


def find(text: str, tok=None) -> list:
    """``eyecite.get_citations(text)`` with the tokenizer in use (see the module docstring)."""
    import eyecite

    logging.getLogger("eyecite").setLevel(logging.ERROR)
    _memoise_court_lookup()
    _skip_impossible_references()
    return eyecite.get_citations(text, tokenizer=tok or tokenizer())
