"""The table of bench/side_by_side.sh: page | helpdesk median/p95 | Huiyin median/p95 | ratio,
from the raw samples it wrote (OUT/raw/<key>.txt, seconds, one per line; OUT/pages.txt, the
pages measured). Pages of the two apps that do the same job share a row; the ratio is
helpdesk's median over Huiyin's (above 1: Huiyin is faster).

    .venv/bin/python bench/side_by_side_table.py OUT
"""

import math
import statistics
import sys
from pathlib import Path

# (helpdesk key, Huiyin key, row label): the pages that do the same job, then each app's own.
PAIRS = [
    ("hd_list", "hy_unit_state", "list: one unit/queue + one state, newest first, first page"),
    ("hd_detail", "hy_case", "case page / ticket detail"),
    ("hd_bare", "hy_bare", "bare view (no SQL of its own)"),
    ("hd_login", "hy_login", "login form (anonymous)"),
]


def median_p95(samples: list[float]) -> tuple[float, float]:
    """Median and nearest-rank p95 (the 29th of 30), in ms, as the peer's stats.py."""
    ordered = sorted(samples)
    return (
        statistics.median(ordered) * 1000,
        ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)] * 1000,
    )


def main() -> None:
    out = Path(sys.argv[1])
    labels: dict[str, str] = {}
    for line in (out / "pages.txt").read_text(encoding="utf-8").splitlines():
        key, _app, _jar, _urls, label = line.split("|", 4)
        labels[key] = label
    figures: dict[str, tuple[float, float]] = {}
    for key in labels:
        values = [float(v) for v in (out / "raw" / f"{key}.txt").read_text().split()]
        if values:
            figures[key] = median_p95(values)

    def cell(key: str) -> str:
        if key not in figures:
            return "—"
        median, p95 = figures[key]
        return f"{median:,.1f} / {p95:,.1f}"

    print(
        "| page | helpdesk median / p95 ms | Huiyin median / p95 ms | ratio (helpdesk ÷ Huiyin) |"
    )
    print("|---|---:|---:|---:|")
    paired: set[str] = set()
    for hd, hy, label in PAIRS:
        if hd not in figures and hy not in figures:
            continue
        paired.update({hd, hy})
        ratio = (
            f"{figures[hd][0] / figures[hy][0]:.2f}×" if hd in figures and hy in figures else "—"
        )
        print(f"| {label} | {cell(hd)} | {cell(hy)} | {ratio} |")
    for key, label in labels.items():
        if key in paired or key not in figures:
            continue
        hd_cell, hy_cell = (cell(key), "—") if key.startswith("hd_") else ("—", cell(key))
        print(f"| {label} | {hd_cell} | {hy_cell} | |")


if __name__ == "__main__":
    main()
