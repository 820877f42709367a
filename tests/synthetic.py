"""Synthetic data for tests at size: the benchmark's generator (benchmarks/generate.py), run as
its users run it, a command in its own process (tests import no code from benchmarks/)."""

import subprocess
import sys
from pathlib import Path

GENERATOR = Path(__file__).resolve().parents[1] / "benchmarks" / "generate.py"


def generate(out: Path, triples: int, seed: int = 1) -> None:
    """Write about `triples` triples of conforming synthetic data as Turtle files into `out`."""
    subprocess.run([sys.executable, str(GENERATOR), "--triples", str(triples), "--seed", str(seed),
                    "--out", str(out)], check=True, capture_output=True, timeout=600)
