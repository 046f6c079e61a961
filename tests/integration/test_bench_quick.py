"""`python -m bench --quick` (what `make bench` runs, smaller) works end to end and reports
the three rates, and the hazard chain with each service's CPU per hazard (no timing
assertions: the figures depend on the machine)."""
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PARTS = {"raw kombu publish → consumer (ceiling)": 2000,  # events in --quick mode
         "outbox relay, committed → confirmed": 2000,
         "HTTP registration → outside consumer": 200}


def test_quick_bench_reports_the_ceiling_the_relay_and_end_to_end_rates(tmp_path):
    figures = tmp_path / "bench.json"
    done = subprocess.run([sys.executable, "-m", "bench", "--quick", "--json", str(figures)],
                          cwd=ROOT, capture_output=True, text=True, timeout=110)
    assert done.returncode == 0, done.stderr[-2000:]
    for part in PARTS:
        assert part in done.stdout
    results = json.loads(figures.read_text())
    for part, events in PARTS.items():
        assert results[part]["rate"] > 0
        assert results[part]["events"] == events, results[part]  # every event arrived
    hazards = results["hazard → public case page"]
    assert hazards["missing"] == 0 and hazards["pages_200"] == hazards["hazards"]
    # what each service spent per hazard: the figure that stays comparable on a busy box
    cpu = hazards["cpu_ms_per_hazard"]
    assert set(cpu) == {"registry", "inspection", "disclosure"} and all(ms > 0 for ms in cpu.values())
