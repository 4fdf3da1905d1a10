"""Figures and their presentation: percentiles, one result row per measure, the table."""

import math
import time
from collections.abc import Callable
from dataclasses import dataclass


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile (no interpolation: a p99 of 100 samples is the 99th value)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def timed(function: Callable[[], object], repeat: int) -> list[float]:
    """Seconds per call, `repeat` calls after one warm-up call."""
    function()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        samples.append(time.perf_counter() - started)
    return samples


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


@dataclass
class Result:
    scenario: str
    measure: str
    value: str
    baseline: str = ""
    ratio: float | None = None
    target: str = ""
    met: bool | None = None

    @property
    def verdict(self) -> str:
        return {True: "met", False: "MISSED", None: ""}[self.met]


def results_table(results: list[Result]) -> str:
    header = ["scenario", "measure", "value", "baseline (same run)", "ratio", "target", "verdict"]
    rows = [
        [
            result.scenario,
            result.measure,
            result.value,
            result.baseline,
            "" if result.ratio is None else f"{result.ratio:.2f}",
            result.target,
            result.verdict,
        ]
        for result in results
    ]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(cell.replace("|", "/") for cell in row) + " |" for row in rows]
    return "\n".join(lines)
