"""The demo's officer accounts, one per role, made as an operator makes them: with
`otg officers add` (a restarted demo gives each a new one-time password with
`otg officers reset-password`). Names are made up; logins say the role."""
import subprocess
import sys
from pathlib import Path

from .client import DemoError

# login, name, role, department, district, enforcement certificate
OFFICERS = (
    ("hc-registrar", "王登记", "registrar", "education", "371002", None),
    ("hc-inspector", "李消防", "inspector", "fire", "371002", "鲁威执3710020001"),
    ("hc-inspector-edu", "赵教育", "inspector", "education", "371002", "鲁威执3710020002"),
    ("hc-handler", "陈办理", "handler", "education", "371002", None),
    ("city-coordinator", "刘统筹", "coordinator", "education", "371000", None),
    ("hc-publisher", "孙发布", "publisher", "education", "371002", None),
    ("hc-school", "周学校", "school", "education", "371002", None),
)
SCHOOLS = {"hc-school": "371002-s01"}  # a school account's school: the data set's first in 环翠区
OTG = Path(sys.executable).parent / "otg"


def issue(existing):
    """[(login, name, role, district, one-time password)]: new accounts, or fresh
    one-time passwords for the accounts `existing` names."""
    issued = []
    for login, name, role, department, district, certificate in OFFICERS:
        if login in existing:
            out = _otg("reset-password", login)
        else:
            out = _otg("add", "--login", login, "--name", name, "--role", role, "--department",
                       department, "--district", district,
                       *(("--certificate", certificate) if certificate else ()),
                       *(("--school", SCHOOLS[login]) if login in SCHOOLS else ()))
        password = next(line.split()[-1] for line in out.splitlines()
                        if line.startswith("one-time password"))
        issued.append((login, name, role, district, password))
    return issued


def _otg(*args):
    result = subprocess.run([str(OTG), "officers", *args], capture_output=True, text=True)
    if result.returncode != 0:
        raise DemoError(f"otg officers {args[0]} failed: {result.stderr.strip()}")
    return result.stdout
