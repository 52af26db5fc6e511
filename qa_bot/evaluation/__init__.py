"""Evaluation: sets (``evalset``), metrics (``metrics``) and the ``qa-bot eval`` command (``evaluate``)."""
