"""A newcomer's first commands: tokens that work against the running demo, a refusal
instead of a traceback (and an empty database) without the data dir, a 401 that says
what to check."""
import os
import subprocess
import sys
from pathlib import Path

import jwt
import pytest

from shared import auth
from shared.errors import Unauthorized

OTG = Path(sys.executable).parent / "otg"


def otg(cwd, *args, **env):
    """`otg ARGS` in `cwd`, without the test's OTG_DATA_DIR and OTG_JWT_SECRET."""
    environment = {key: value for key, value in os.environ.items()
                   if key not in ("OTG_DATA_DIR", "OTG_JWT_SECRET")}
    return subprocess.run([str(OTG), *args], cwd=cwd, env={**environment, **env},
                          capture_output=True, text=True, timeout=60)


def demo_dir(root, pid):
    path = root / "var" / "demo"
    path.mkdir(parents=True)
    (path / "jwt_secret.secret").write_text("the-demo-s-secret-0123456789abcdef")
    (path / "demo.pid").write_text(str(pid))
    return path


ISSUE = ("token", "issue", "--role", "registrar", "--department", "education", "--district", "371002")


def test_a_token_issued_while_the_demo_runs_is_signed_with_the_demo_s_secret(tmp_path):
    demo_dir(tmp_path, os.getpid())  # this process stands in for the running demo
    issued = otg(tmp_path, *ISSUE)
    assert issued.returncode == 0, issued.stderr
    assert "var/demo" in issued.stderr  # it says which data dir it used
    actor = auth.verify(issued.stdout.strip(), secret="the-demo-s-secret-0123456789abcdef")
    assert actor.district == "371002"


def test_a_demo_that_stopped_is_not_taken_for_a_running_one(tmp_path):
    gone = subprocess.Popen(["true"])
    gone.wait()
    demo_dir(tmp_path, gone.pid)
    issued = otg(tmp_path, *ISSUE)
    assert issued.returncode == 0, issued.stderr
    own = (tmp_path / "var" / "jwt_secret.secret").read_text().strip()
    assert auth.verify(issued.stdout.strip(), secret=own).role == "registrar"


def test_rebuilding_read_models_without_the_data_dir_says_so_and_creates_nothing(tmp_path):
    rebuilt = otg(tmp_path, "projections", "rebuild", "registry",
                  OTG_DATA_DIR=str(tmp_path / "nowhere"))
    assert rebuilt.returncode == 2
    assert "no registry database" in rebuilt.stderr and "OTG_DATA_DIR" in rebuilt.stderr
    assert "Traceback" not in rebuilt.stderr
    assert not (tmp_path / "nowhere").exists()


def test_a_token_signed_with_another_secret_is_refused_naming_what_to_check(monkeypatch):
    monkeypatch.setenv("OTG_JWT_SECRET", "the-services-secret-0123456789abcdef")
    foreign = jwt.encode({"role": "registrar", "department": "education", "district": "371002",
                          "exp": 4102444800, "iss": "otg"}, "another-secret-0123456789abcdef-0123")
    with pytest.raises(Unauthorized) as refused:
        auth.verify(foreign)
    message = str(refused.value)
    assert "Signature verification failed" in message
    assert "OTG_JWT_SECRET" in message and "OTG_DATA_DIR" in message


def test_a_command_run_in_process_leaves_the_environment_as_it_found_it(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from otg.cli import main
    demo_dir(tmp_path, os.getpid())
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("OTG_DATA_DIR", "set-by-the-test")
    monkeypatch.delenv("OTG_DATA_DIR")
    issued = CliRunner().invoke(main, list(ISSUE))
    assert issued.exit_code == 0, issued.output
    assert "OTG_DATA_DIR" not in os.environ
