"""`make test` prepares what the tests need (tests/setup) or stops at once with one
message; test vhosts are deleted by the run that left them, never by another run."""
import os
import shutil
import subprocess
from pathlib import Path

from support import HOST, RUN_TAG, leftover_vhosts

ROOT = Path(__file__).resolve().parents[2]
SETUP = ROOT / "tests" / "setup"


def test_make_test_prepares_the_machine_before_the_suite():
    planned = subprocess.run(["make", "-n", "test"], cwd=ROOT, capture_output=True, text=True)
    steps = planned.stdout.splitlines()
    assert "tests/setup" in steps and steps.index("tests/setup") < len(steps) - 1
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    assert "delete_vhost" not in (ROOT / ".ci" / "run").read_text()


def test_setup_passes_at_once_when_everything_is_there():
    prepared = subprocess.run([str(SETUP)], capture_output=True, text=True, timeout=60)
    assert prepared.returncode == 0, prepared.stderr


def test_setup_that_may_not_install_names_what_is_missing_and_how_to_install_it(tmp_path):
    """A machine without Chromium, its driver and a compose client, and no apt-get."""
    bare = tmp_path / "bin"
    bare.mkdir()
    for tool in ("bash", "env", "id", "seq", "sleep", "grep", "ls", "tail", "cat"):
        os.symlink(shutil.which(tool), bare / tool)
    stopped = subprocess.run(["bash", str(SETUP)], env={"PATH": str(bare)},
                             capture_output=True, text=True, timeout=60)
    assert stopped.returncode == 2
    [message] = [line for line in stopped.stderr.splitlines() if "note:" not in line]
    assert "chromium chromium-driver docker-compose curl jq" in message
    assert "apt-get install -y chromium chromium-driver docker-compose curl jq" in message


def test_a_run_deletes_its_own_and_dead_runs_vhosts_never_a_live_run_s():
    finished = subprocess.Popen(["true"])
    finished.wait()
    ours, dead = f"{RUN_TAG}abc", f"nameko_test_{HOST}_{finished.pid}_abc"
    running = f"nameko_test_{HOST}_{os.getppid()}_abc"  # a live process: a run in progress
    elsewhere = "nameko_test_otherhost_1_abc"
    untagged = "nameko_test_abcdefghij"                  # can't tell whose: kept
    names = [ours, dead, running, elsewhere, untagged, "/"]
    assert sorted(leftover_vhosts(names)) == sorted([ours, dead])
