#!/usr/bin/env bash
# The long forms of the reliability suites (README "Reliability"): crash (40 seeded kills), corruption
# (25 seeded bit-flip trials per library file), fuzzing (500 inputs per target), the exposure suite with
# both proofs of "offline". Prints each suite's summary and the load average before and after.
#   eval/reliability/run_long.sh [pytest options]      (from the repository's root; uses .venv if present)
# The load test's long form is separate: python eval/reliability/load.py --library embeddings/demo
set -uo pipefail
cd "$(dirname "$0")/../.."
PY=${PYTHON:-$( [ -x .venv/bin/python ] && echo .venv/bin/python || echo python3 )}
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
status=0
for suite in test_crash test_corruption test_fuzz test_exposure; do
  echo "== tests/$suite.py (QA_BOT_LONG=1)"
  start=$(date +%s)
  QA_BOT_LONG=1 PYTHONPATH=$PWD nice -n 10 "$PY" -m pytest -q -s -p no:cacheprovider "tests/$suite.py" "$@" \
    | grep -E "^fuzz |passed|failed|skipped|error" || status=1
  echo "   $(( $(date +%s) - start )) s, load $(cut -d' ' -f1-3 /proc/loadavg)"
done
exit $status
