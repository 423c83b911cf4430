"""How long, and how much memory, does it take to make a daily and a weekly episode?

End to end from bills to a stored, checked episode, the way a worker makes one:
the template writer and the script validator (scripting), the eSpeak voice into
the segment cache (synthesis, a segment at a time), then mastering with its
audio check and the files written to local storage. Bills are real (the shared
GovInfo/Congress.gov data when present, else the demo bills): the most recently
active ones, three for a daily brief and eight for a weekly deep dive, as the
gathering stage picks them for a listener who tracks nothing.

Each case runs in a fresh process, so its memory high-water mark (peak RSS) is
its own:

* ``inline``: a render process doing the work itself (:class:`InlineRenderer`);
* ``inline+worker``: the same inside a process that has also loaded the worker's
  engine, database and web modules (what a single-slot worker is);
* ``process``: a worker-like parent scripting and handing synthesis and mastering
  to a render child (:class:`ProcessRenderer`); both peaks are reported.

Each episode is made several times in its process, with an empty segment cache
each time: the first pays for imports and the voice's calibration (a worker's
render process pays that once when it starts); the later ones are the steady
state the targets are for, judged by their median. Beside wall time, the CPU
seconds the episode used (in the process and its render child) are reported,
and the machine's load average is recorded: other work on the machine slows
the wall time, while the CPU seconds say what the episode itself costs.

Targets (DESIGN §4, 2-core machine): daily ≤ 5 s, weekly ≤ 12 s, peak ≤ 250 MB.
Prints a table and writes JSON under bench/results/.

    python bench/pipeline.py
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.machine import describe_machine, results_path  # noqa: E402

HOSTS = ("Maya", "Theo")
DAY = date(2026, 3, 5)
TARGETS = {"daily": (300.0, 3, 5.0), "weekly": (900.0, 8, 12.0)}  # seconds, bills, wall s
MEMORY_TARGET_MB = 250.0
MODES = ("inline", "inline+worker", "process")


def choose_bills(kind: str) -> tuple[str, list[dict[str, Any]]]:
    """The most recently active bills, as JSON (the child need not parse any XML)."""
    from tests.conftest import shared_data_dir

    from briefcast.bill_import import import_paths, load_demo_bills

    source = "shared"
    bills = list(import_paths([shared_data_dir()]).bills) if shared_data_dir().is_dir() else []
    if not bills:
        source, bills = "demo", list(load_demo_bills())

    def latest(bill: Any) -> date:
        return bill.latest_action.date if bill.latest_action else date.min

    bills.sort(key=lambda b: (latest(b), str(b.id)), reverse=True)
    return source, [b.to_json() for b in bills[: TARGETS[kind][1]]]


def _cpu_seconds() -> float:
    """CPU time of this process (all its threads) and of its live render children."""
    import psutil

    me = psutil.Process()
    times = [me.cpu_times(), *(child.cpu_times() for child in me.children(recursive=True))]
    return sum(t.user + t.system for t in times)


def _peak_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # kilobytes on Linux


def _renderer(mode: str, home: Path) -> Any:
    from briefcast.providers.espeak import EspeakVoice
    from briefcast.providers.local_storage import LocalStorage
    from briefcast.renderers import InlineRenderer, ProcessRenderer, Workshop
    from briefcast.settings import Settings

    if mode == "process":
        return ProcessRenderer(Settings(home=home, voice="espeak", storage="local"), 1)
    if mode == "inline+worker":
        import briefcast.web.app
        import briefcast.worker  # noqa: F401  # the engine, database and web stack a worker holds
    return InlineRenderer(Workshop(EspeakVoice(), LocalStorage(home / "media")))


def _make(kind: str, bills_json: list[dict[str, Any]], renderer: Any, wpm: float) -> dict[str, Any]:
    """One episode: script, synthesise, master. Returns the phase timings and the result."""
    from briefcast.bills import Bill
    from briefcast.providers.template_writer import TemplateWriter
    from briefcast.rendering import MasterRequest
    from briefcast.scripts import Budget, validate
    from briefcast.stages import DISCLOSURE, SHOW_TITLE
    from briefcast.writers import Listener, ScriptRequest

    target = TARGETS[kind][0]
    cpu_before = _cpu_seconds()
    began = time.perf_counter()
    bills = tuple(Bill.from_json(data) for data in bills_json)
    request = ScriptRequest(Listener("Priya", "OR"), kind, DAY, bills, HOSTS, target, wpm)  # type: ignore[arg-type]
    script = TemplateWriter().write(request)
    validate(script, Budget.for_duration(target, wpm))
    scripted = time.perf_counter()
    characters = 0
    for segment in script.segments:
        characters += renderer.synthesize(segment.turns).synthesized_chars
    synthesised = time.perf_counter()
    result = renderer.master(
        MasterRequest(
            podcast_id=f"bench-{kind}",
            user_id="bench",
            script=script.to_json(),
            title=script.title,
            show=SHOW_TITLE,
            day=DAY,
            description="Benchmark episode.",
            disclosure=DISCLOSURE,
            artist=" & ".join(HOSTS),
        )
    )
    done = time.perf_counter()
    cpu = _cpu_seconds() - cpu_before
    return {
        "bills": len(script.segments) - 2,
        "words": script.words,
        "characters_synthesised": characters,
        "script_s": scripted - began,
        "synthesis_s": synthesised - scripted,
        "mastering_s": done - synthesised,
        "total_s": done - began,
        "cpu_s": cpu,
        "audio_s": result.duration_seconds,
        "loudness_lufs": result.loudness_lufs,
        "true_peak_dbtp": result.true_peak_dbtp,
    }


def run_case(kind: str, mode: str, bills_json: list[dict[str, Any]], runs: int) -> dict[str, Any]:
    """In a fresh process: make the episode ``runs`` times, each with an empty cache."""
    from briefcast.providers.espeak import EspeakVoice
    from briefcast.stages import _episode_pace  # the pace the scripting stage budgets with

    home = Path(tempfile.mkdtemp(prefix="briefcast-bench-"))
    try:
        voice = EspeakVoice()
        wpm = _episode_pace(sum(voice.words_per_minute(h) for h in HOSTS) / len(HOSTS))
        renderer = _renderer(mode, home)
        made = []
        for _ in range(runs):
            shutil.rmtree(home / "media" / "cache", ignore_errors=True)
            made.append(_make(kind, bills_json, renderer, wpm))
        renderer.close()
        return {
            "runs": made,
            "peak_rss_mb": _peak_mb(resource.RUSAGE_SELF),
            "render_child_peak_rss_mb": _peak_mb(resource.RUSAGE_CHILDREN)
            if mode == "process"
            else None,
        }
    finally:
        shutil.rmtree(home, ignore_errors=True)


def in_fresh_process(kind: str, mode: str, bills_json: list[dict[str, Any]], runs: int) -> Any:
    """:func:`run_case` in a new interpreter (it may start render processes of its own)."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(bills_json, handle)
    try:
        command = [sys.executable, __file__, "--case", kind, mode, handle.name, str(runs)]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{kind} {mode} failed:\n{done.stderr}")
        return json.loads(done.stdout.splitlines()[-1])
    finally:
        Path(handle.name).unlink()


def rows_of(kind: str, mode: str, measured: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for number, run in enumerate(measured["runs"]):
        rows.append(
            {
                "episode": kind,
                "mode": mode,
                "run": "first in process" if number == 0 else "steady",
                **{k: round(v, 3) if isinstance(v, float) else v for k, v in run.items()},
                "real_time_factor": round(run["total_s"] / run["audio_s"], 4),
                "peak_rss_mb": round(measured["peak_rss_mb"], 1),
                "render_child_peak_rss_mb": measured["render_child_peak_rss_mb"]
                and round(measured["render_child_peak_rss_mb"], 1),
            }
        )
    return rows


def summary(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per episode and mode: the median of the steady runs and the peaks, against the targets."""
    out = []
    for kind in ("daily", "weekly"):
        for mode in MODES:
            steady = [
                r for r in rows if (r["episode"], r["mode"], r["run"]) == (kind, mode, "steady")
            ]
            if not steady:
                continue
            total = statistics.median(r["total_s"] for r in steady)
            audio = statistics.median(r["audio_s"] for r in steady)
            peak = max(steady[0]["peak_rss_mb"], steady[0]["render_child_peak_rss_mb"] or 0.0)
            ok = total <= TARGETS[kind][2] and peak <= MEMORY_TARGET_MB
            out.append(
                {
                    "episode": kind,
                    "mode": mode,
                    "steady_runs": len(steady),
                    "median_total_s": round(total, 2),
                    "median_mastering_s": round(
                        statistics.median(r["mastering_s"] for r in steady), 2
                    ),
                    "median_cpu_s": round(statistics.median(r["cpu_s"] for r in steady), 2),
                    "audio_s": round(audio, 1),
                    "real_time_factor": round(total / audio, 4),
                    "peak_rss_mb": round(peak, 1),
                    "target_s": TARGETS[kind][2],
                    "meets_targets": ok,
                }
            )
    return out


def print_tables(rows: list[dict[str, Any]], summaries: list[dict[str, Any]]) -> None:
    print(
        f"\n{'episode':<8}{'mode':<15}{'run':<18}{'bills':>6}{'audio s':>9}{'script':>8}"
        f"{'synth':>7}{'master':>8}{'total s':>9}{'cpu s':>7}{'RTF':>8}{'peak MB':>9}{'child MB':>9}"
    )
    for row in rows:
        child = row["render_child_peak_rss_mb"]
        print(
            f"{row['episode']:<8}{row['mode']:<15}{row['run']:<18}{row['bills']:>6}"
            f"{row['audio_s']:>9.1f}{row['script_s']:>8.2f}{row['synthesis_s']:>7.2f}"
            f"{row['mastering_s']:>8.2f}{row['total_s']:>9.2f}{row['cpu_s']:>7.2f}"
            f"{row['real_time_factor']:>8.4f}"
            f"{row['peak_rss_mb']:>9.0f}{(f'{child:.0f}' if child else '-'):>9}"
        )
    print(
        f"\n{'episode':<8}{'mode':<15}{'median s':>9}{'cpu s':>7}{'target s':>9}{'RTF':>8}"
        f"{'peak MB':>9}{'target MB':>10}  verdict"
    )
    for row in summaries:
        print(
            f"{row['episode']:<8}{row['mode']:<15}{row['median_total_s']:>9.2f}{row['median_cpu_s']:>7.2f}"
            f"{row['target_s']:>9.1f}{row['real_time_factor']:>8.4f}{row['peak_rss_mb']:>9.0f}"
            f"{MEMORY_TARGET_MB:>10.0f}  {'meets' if row['meets_targets'] else 'MISSES'}"
        )


def main() -> None:
    if sys.argv[1:2] == ["--case"]:
        kind, mode, bills_file, runs = sys.argv[2:6]
        bills_json = json.loads(Path(bills_file).read_text())
        print(json.dumps(run_case(kind, mode, bills_json, int(runs))))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modes", nargs="+", choices=MODES, default=list(MODES))
    parser.add_argument("--runs", type=int, default=4, help="episodes per process (first is cold)")
    parser.add_argument("--name", default="pipeline", help="results file name")
    args = parser.parse_args()
    rows, sources = [], {}
    load_before = os.getloadavg()
    for kind in ("daily", "weekly"):
        source, bills_json = choose_bills(kind)
        sources[kind] = {"source": source, "bills": [b["id"] for b in bills_json]}
        for mode in args.modes:
            rows += rows_of(kind, mode, in_fresh_process(kind, mode, bills_json, args.runs))
    summaries = summary(rows)
    print_tables(rows, summaries)
    load = {
        "before": [round(x, 2) for x in load_before],
        "after": [round(x, 2) for x in os.getloadavg()],
    }
    print(f"\nload average (1, 5, 15 min) before {load['before']}, after {load['after']}")
    out = results_path(args.name)
    out.write_text(
        json.dumps(
            {
                "benchmark": "pipeline",
                "machine": describe_machine(),
                "bills": sources,
                "targets": {
                    "daily_wall_s": TARGETS["daily"][2],
                    "weekly_wall_s": TARGETS["weekly"][2],
                    "peak_rss_mb": MEMORY_TARGET_MB,
                },
                "load_average": load,
                "summary": summaries,
                "rows": rows,
            },
            indent=2,
        )
    )
    print(f"\nwritten to {out.relative_to(REPO)}")


if __name__ == "__main__":
    main()
