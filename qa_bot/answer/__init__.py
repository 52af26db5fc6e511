"""Stage 4, answer: ``Hit``s -> a verified ``Answer`` with pin cites. ``ask`` orchestrates; ``extractive``
quotes sentences (``spans``, ``cite``), ``abstain`` decides when the library holds no answer, ``llm``
asks a generative model, ``verify`` checks every sentence against what it cites, ``format`` prints it."""
