"""Where the golden litmus corpus is: the data the unit, golden and proofs tiers share."""

from pathlib import Path

CORPUS = Path(__file__).resolve().parents[1] / "litmus"
