"""The question's way through the answer stage (``Library.ask`` / ``Library.ask_stream``):
options routed to the retriever or the answer settings, the chat history folded into the search
query, retrieval, then the extractive answerer (``extractive``) or the generative one (``llm``), and
verification (``verify``) before the ``Answer`` is returned.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Iterator, Sequence

import numpy as np

from ..cache import cached
from ..retrieve.question import Intent, analyse
from ..retrieve.search import FILTERS
from ..settings import AnswerSettings, replace_stage, stage_fields
from ..types import Answer, Opinion
from .abstain import _try_retriever, library_best, library_case_names, library_idf, retrieval_floor
from .extractive import Embed, extractive


def embedder(lib) -> Embed:
    """The library's embedding function (texts[0] is embedded as a query, the rest as documents):
    the retriever's ``Embedder`` when there is one, else the model the library's settings name.
    Document vectors are kept in the library's ``LibraryCache`` (a chat session quotes the same passages
    again)."""
    return cached(lib, "answer.embed", lambda: _make_embedder(lib))


def _make_embedder(lib) -> Embed:
    emb = getattr(_try_retriever(lib), "embedder", None)
    if emb is not None and hasattr(emb, "encode_queries") and hasattr(emb, "encode_documents"):
        encode_query, encode_docs = (lambda t: emb.encode_queries(t)), (lambda t: emb.encode_documents(t))
    else:
        from ..index.embed import load_model  # the process-wide model cache the retriever uses too

        model = load_model(lib.settings.embed.model)
        encode_query = encode_docs = lambda t: model.encode(list(t), batch_size=64, normalize_embeddings=True,
                                                            convert_to_numpy=True, show_progress_bar=False)
    cache: dict[str, np.ndarray] = {}

    def embed(texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        q = _normalise(np.asarray(encode_query(texts[:1]), dtype=np.float32))
        todo = list(dict.fromkeys(t for t in texts[1:] if t not in cache))
        if todo:
            if len(cache) > 20_000:
                cache.clear()
            cache.update(zip(todo, _normalise(np.asarray(encode_docs(todo), dtype=np.float32))))
        return np.vstack([q] + [cache[t][None, :] for t in texts[1:]])

    return embed


def _normalise(v: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(v, axis=1, keepdims=True)
    return v / np.maximum(n, 1e-12)


def _split_options(lib, answerer: str | None, options: dict) -> tuple[str, dict, AnswerSettings, Embed | None]:
    """(answerer, search options, answer settings, embed) from ``ask``'s options: the search filters and
    ``RetrieveSettings`` fields go to the search, ``AnswerSettings`` fields (validated by it) to the
    answerer; any other name is a ``BadSetting`` listing the valid ones."""
    embed = options.pop("embed", None)
    search_names = FILTERS + stage_fields("retrieve")
    search_opts = {k: options.pop(k) for k in list(options) if k in search_names}
    st = replace_stage(lib.settings.answer, options, "ask option", search_names + ("embed",))
    if answerer is not None:
        st = replace_stage(st, {"answerer": answerer}, "ask option")
    return st.answerer, search_opts, st, embed


def chat_turns(history: Sequence) -> list[tuple[str, str]]:
    """(question, answer text) of each earlier turn of a chat: an ``Answer`` (anything with ``question``
    and ``text``), a (question, answer) pair, or a bare question."""
    out = []
    for turn in history:
        pair = isinstance(turn, (tuple, list))
        q = turn.question if hasattr(turn, "question") else turn[0] if pair else str(turn)
        a = turn.text if hasattr(turn, "text") else turn[1] if pair and len(turn) > 1 else ""
        out.append((q, a))
    return out


def library_intent(lib, question: str) -> Intent:
    """What ``question`` asks for against this library's case names and courts."""
    retriever = _try_retriever(lib)
    if retriever is not None and hasattr(retriever, "intent"):
        return retriever.intent(question)
    courts = lib.store.courts() if hasattr(lib, "store") else ()
    return analyse(question, library_case_names(lib), courts)


def follow_up(lib, question: str, history: Sequence) -> tuple[str, Intent | None]:
    """(what to search, what it asks for when the question alone does not say) in a conversation. A
    question that refers back ("And
    the dissent?", "What about the officers?", a pronoun with nothing in it to refer to) is searched
    together with the previous question and asks about the opinions the previous turn named, or else
    the one its answer cited first; a self-contained question - one naming a case, or one long and
    plain enough to stand alone - is searched alone, whatever came before."""
    intent = library_intent(lib, question)
    if not history or not intent.refers_back:
        return question, None  # the retriever reads the question itself
    prev = history[-1]
    prev_q = chat_turns([prev])[0][0]
    before = library_intent(lib, prev_q)
    cited = [c.opinion_id for c in getattr(prev, "citations", ())]
    opinions = before.opinions or frozenset(cited[:1])
    merged = replace(intent, opinions=opinions, courts=intent.courts or before.courts,
                     form=intent.form or before.form)
    return f"{prev_q} {question}", merged


def ask(lib, question: str, answerer: str | None = None, history: Sequence = (), **options) -> Answer:
    """Retrieve, answer, verify. Options: the search options (k, mode, courts, years, case,
    per_opinion_cap), AnswerSettings fields (max_sentences, abstain_threshold, ...), ``embed``."""
    final = None
    for piece in ask_stream(lib, question, answerer=answerer, history=history, **options):
        if isinstance(piece, Answer):
            final = piece
    assert final is not None
    return final


def ask_stream(lib, question: str, answerer: str | None = None, history: Sequence = (),
               **options) -> Iterator[str | Answer]:
    """Yields text pieces as they are produced, then the final verified ``Answer``."""
    from ..retrieve.question import clean_question  # the one validation of a question, shared with search
    from .verify import verify

    question = clean_question(question, lib.settings.retrieve.max_question_chars)
    name, search_opts, st, embed = _split_options(lib, answerer, dict(options))
    turns = chat_turns(history)
    query, context = follow_up(lib, question, history)
    if context is not None:
        search_opts["intent"] = context
    hits = lib.search(query, **search_opts)
    intent = context or library_intent(lib, question)
    embed = embed or embedder(lib)
    cache: dict[str, Opinion] = {}

    def opinion(oid: str) -> Opinion:
        if oid not in cache:
            cache[oid] = lib.store.opinion(oid)
        return cache[oid]

    retrieval = getattr(hits, "retrieval", None)  # which search ran (and how far the vectors are)
    if name == "extractive":
        similarity = getattr(_try_retriever(lib), "similarity", None)  # stored vectors: nothing embedded
        draft = extractive(question, hits, opinion, embed, st, idf=library_idf(lib),
                           case_names=library_case_names(lib), intent=intent, similarity=similarity,
                           floor_score=retrieval_floor(lib), top_score=library_best(lib, query))
        answer = verify(draft, opinion, st, embed=embed)
        for s in answer.sentences:
            yield s.display + " "
        yield replace(answer, retrieval=retrieval)
        return
    from .llm import generate

    for piece in generate(question, hits, opinion, embed, st, history=turns):
        yield replace(piece, retrieval=retrieval) if isinstance(piece, Answer) else piece
