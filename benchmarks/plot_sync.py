"""Time to all Ready against N: runs ``sync.py`` for N = 1k, 2k, 5k, 10k Records (N/100
Networks) and plots the result.

    python benchmarks/plot_sync.py [--sizes 1000 2000 5000 10000]

Writes ``benchmarks/results/sync.json`` (every run's figures) and
``benchmarks/results/time_to_ready.png``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"


def measure(records: int) -> dict[str, object]:
    command = [
        sys.executable, str(HERE / "sync.py"), "--records", str(records),
        "--networks", str(max(1, records // 100)), "--changes", "50", "--json",
    ]  # fmt: skip
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    figures: dict[str, object] = json.loads(out.strip().splitlines()[-1])
    return figures


def plot(runs: list[dict[str, object]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    objects = [int(str(r["records"])) + int(str(r["networks"])) for r in runs]
    seconds = [float(str(r["seconds_to_all_ready"])) for r in runs]
    figure, axes = plt.subplots(figsize=(6, 4))
    axes.plot(objects, seconds, marker="o")
    axes.set_xlabel("resources (Records + Networks), cold start")
    axes.set_ylabel("seconds until all Ready")
    axes.set_title("ddisync: time to Ready (2 cores, simulator latency 0)")
    axes.grid(True, alpha=0.3)
    for x, y in zip(objects, seconds, strict=True):
        axes.annotate(f"{y:.0f} s", (x, y), textcoords="offset points", xytext=(0, 6), ha="center")
    figure.tight_layout()
    figure.savefig(path, dpi=100)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 2000, 5000, 10000])
    args = parser.parse_args()
    RESULTS.mkdir(exist_ok=True)
    runs = []
    for records in args.sizes:
        runs.append(measure(records))
        print(json.dumps(runs[-1]), flush=True)
    (RESULTS / "sync.json").write_text(json.dumps(runs, indent=2) + "\n")
    plot(runs, RESULTS / "time_to_ready.png")


if __name__ == "__main__":
    main()
