"""Every documented example runs as written against the demo, as a newcomer types it:
`otg demo` on free ports and the test's own vhost, then every ```sh block of each page in
DOCUMENTS, in order, in one shell (a variable set in one block is used in the next), from
a copy of the project directory whose `var/demo` is the running demo (so `otg` finds its
data dir by itself). `localhost:800N` and `127.0.0.1:800N` are pointed at the demo's ports.
A command that fails, or a `curl` answered with an HTTP error, fails the test.

A new section's ```sh blocks are run without anything to add here; a block that must not
run against the demo follows a line `<!-- example: not run (the reason) -->`. Another page
joins by adding its path to DOCUMENTS."""
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest

from shared import config
from support import free_port

ROOT = Path(__file__).resolve().parents[2]
OTG = Path(sys.executable).parent / "otg"
DOCUMENTS = ("README.md", "docs/inspection.md", "docs/complaints.md", "docs/tasks.md",
             "docs/integrating.md")
NOT_RUN = re.compile(r"<!-- example: not run \(.+\) -->")
FENCE = re.compile(r"^```(sh|bash)\n(.*?)^```$", re.S | re.M)
DEFAULT_PORT = re.compile(r"\b(localhost|127\.0\.0\.1):(800[0-5])\b")
READY = "Ctrl-C stops the services"
# curl answers an HTTP error with exit status 22 (and the body); each answer on its own line
PREAMBLE = """set -euo pipefail
curl() { local status=0; command curl --fail-with-body --show-error "$@" || status=$?; echo; return $status; }
"""


def examples(document):
    """(line number, text) of each ```sh block of `document` that is meant to run."""
    text = (ROOT / document).read_text()
    for block in FENCE.finditer(text):
        before = text[:block.start()].rstrip().rsplit("\n", 1)[-1]
        if not NOT_RUN.fullmatch(before.strip()):
            yield text.count("\n", 0, block.start()) + 1, block.group(2)


def script(document, ports):
    """One shell script of the document's examples, each announced on stderr."""
    parts = [PREAMBLE]
    for line, block in examples(document):
        block = DEFAULT_PORT.sub(lambda m: f"{m[1]}:{ports[int(m[2])]}", block)
        parts.append(f"echo '=== {document} line {line}' >&2\n{block}")
    return "\n".join(parts)


def newcomer_directory(tmp_path, demo_dir):
    """The project as a newcomer has it, with the running demo in var/demo."""
    home = tmp_path / "project"
    home.mkdir()
    for entry in ROOT.iterdir():
        if entry.name not in ("var", ".git", "test-artifacts"):
            (home / entry.name).symlink_to(entry)
    (home / "var").mkdir()
    (home / "var" / "demo").symlink_to(demo_dir)
    return home


@pytest.fixture(scope="module")
def demo(request, vhost_pipeline, tmp_path_factory):
    """`otg demo` kept running for the module: (environment, directory, log)."""
    base = urlparse(request.config.getoption("RABBIT_AMQP_URI"))
    tmp_path = tmp_path_factory.mktemp("examples")
    with vhost_pipeline.get() as vhost:
        env = {key: value for key, value in os.environ.items()
               if key not in ("OTG_DATA_DIR", "OTG_JWT_SECRET", "OTG_TOKEN")}
        env["AMQP_URI"] = f"{base.scheme}://{base.netloc}/{vhost}"
        ports = {}
        for name in config.SERVICES:
            number = config.DEFAULT_PORTS[name]
            ports[number] = free_port()
            env[f"OTG_{name.upper()}_PORT"] = str(ports[number])
            env[f"OTG_{name.upper()}_URL"] = f"http://127.0.0.1:{ports[number]}"
        log = tmp_path / "demo.log"
        with open(log, "w") as output:
            process = subprocess.Popen(
                [str(OTG), "demo", "--data-dir", str(tmp_path / "demo"), "--institutions", "24",
                 "--check-interval", "0.5"], env=env, cwd=ROOT, stdout=output,
                stderr=subprocess.STDOUT, start_new_session=True)
        try:
            wait_until_ready(process, log)
            yield env, ports, newcomer_directory(tmp_path, tmp_path / "demo"), log
        finally:
            stop(process)


def wait_until_ready(process, log, timeout=180):
    deadline = time.monotonic() + timeout
    while READY not in log.read_text():
        if process.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"the demo did not come up:\n{log.read_text()[-4000:]}")
        time.sleep(0.5)


def stop(process):
    """As Ctrl-C would: the demo stops its services (all in its process group)."""
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@pytest.mark.timeout(400)
@pytest.mark.parametrize("document", DOCUMENTS)
def test_every_shell_example_runs_as_written_against_the_demo(demo, document):
    env, ports, home, log = demo
    assert list(examples(document)), f"{document} has no ```sh example"
    shell = {**env, "PATH": f"{home / '.venv' / 'bin'}{os.pathsep}{env['PATH']}"}
    ran = subprocess.run(["bash", "-c", script(document, ports)], cwd=home, env=shell,
                         capture_output=True, text=True, timeout=300)
    failed_at = re.findall(r"=== .*", ran.stderr)[-1:] or ["before the first example"]
    assert ran.returncode == 0, (f"{failed_at[0]} failed (exit {ran.returncode}):\n"
                                 f"{ran.stderr[-3000:]}\n--- output\n{ran.stdout[-3000:]}")
