#!/usr/bin/env python
"""Run the W3C SPARQL 1.1 query evaluation suite (328 tests) against our endpoint and print
the results; `--help` for the options. The runner lives with the tests that use it
(tests/w3c_query_runner.py)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from w3c_query_runner import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
