"""Result rows and how they are printed.

A comparison returns ``Row``s: our figure beside a baseline's, their ratio, and the
target as information (a missed target is reported, never an error).
"""
from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Row:
    name: str
    ours: float
    baseline_name: str
    baseline: float
    unit: str  # "/s" (higher is better), "ms" or "us" (lower is better)
    target: str = ""  # e.g. "ratio >= 0.50", shown beside the ratio
    met: bool | None = None

    @property
    def ratio(self) -> float:
        return self.ours / self.baseline if self.baseline else float("nan")


def rate_row(name: str, ours: float, baseline_name: str, baseline: float, min_ratio: float | None = None) -> Row:
    """Throughput, events per second; the target is a share of the baseline."""
    row = Row(name, ours, baseline_name, baseline, "/s")
    if min_ratio is None:
        return row
    return replace(row, target=f"ratio >= {min_ratio:.2f}", met=row.ratio >= min_ratio)


def latency_row(name: str, ours: float, baseline_name: str, baseline: float, max_ours: float | None = None,
                unit: str = "ms", max_ratio: float | None = None) -> Row:
    """Latency in milliseconds (or ``unit``); the target is an absolute bound on ours
    (``max_ours``) or a multiple of the baseline (``max_ratio``)."""
    row = Row(name, ours, baseline_name, baseline, unit)
    if max_ours is not None:
        return replace(row, target=f"ours < {max_ours:g} {unit}", met=ours < max_ours)
    if max_ratio is not None:
        return replace(row, target=f"ratio <= {max_ratio:.2f}", met=row.ratio <= max_ratio)
    return row


def figure(value: float, unit: str) -> str:
    if unit == "entries":  # a count (bench/sharing.py: what reached a feed after a withdrawal)
        return f"{value:,.0f} entries"
    if unit in ("ms", "us", "KiB"):
        return f"{value:,.1f} {unit}"
    if unit == "%":  # a share of one core (bench/idle.py)
        return f"{value:,.2f}%"
    return f"{value:,.0f}/s"


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * p // 100))  # ceil(n * p / 100), at least 1
    return ordered[int(rank) - 1]


def section(title: str) -> None:
    print(f"\n== {title}", flush=True)


def detail(text: str) -> None:
    print(f"   {text}", flush=True)


def summary(rows: list[Row], errors: list[str]) -> str:
    lines = [
        "",
        "== Summary: ours vs a raw baseline measured in this run; ratio = ours / baseline",
        "   (throughput: higher is better; latency: lower is better; targets are information only)",
    ]
    name_w = max((len(r.name) for r in rows), default=0)
    base_w = max((len(r.baseline_name) for r in rows), default=0)
    ours_w = max((len(figure(r.ours, r.unit)) for r in rows), default=0)
    fig_w = max((len(figure(r.baseline, r.unit)) for r in rows), default=0)
    for r in rows:
        target = ""
        if r.target:
            target = f"   target {r.target}: {'met' if r.met else 'MISSED'}"
        lines.append(
            f"{r.name:<{name_w}}   ours {figure(r.ours, r.unit):>{ours_w}}   "
            f"{r.baseline_name:<{base_w}} {figure(r.baseline, r.unit):>{fig_w}}   "
            f"ratio {r.ratio:.2f}{target}"
        )
    for error in errors:
        lines.append(f"ERROR {error}")
    return "\n".join(lines)
