"""`otg demo`: all five services on the embedded defaults (SQLite in a demo data dir,
the local RabbitMQ), a made-up Weihai data set, and the 2024 winter campaign played
through the services' HTTP APIs while a timeline prints the events from the bus."""
import signal
import sys

from otg import installation
from shared import auth, broker, config

from . import dataset, labels, officers
from .campaign import Campaign
from .client import Client, DemoError
from .clock import day
from .stack import Stack
from .stage import LOADING, PLAYED, Stage
from .timeline import Timeline


# What the example integrator account may read (as deploy/example.env grants it):
# public-interest events, never an unannounced check (docs/integrating.md).
EXAMPLE_INTEGRATOR_TYPES = (
    "registry.InstitutionRegistered", "registry.InstitutionSuspended",
    "registry.InstitutionReinstated", "registry.InstitutionClosed", "registry.ListBatchPublished",
    "disclosure.ListPublished", "disclosure.CaseExposed", "disclosure.NoticePublished")


def run(data_dir, fresh=False, institutions=300, seed=2024, wait=True, check_interval=2.0):
    """Play (or restart) the demo; the exit status."""
    stage = Stage(data_dir)
    stack, timeline = Stack(installation.services(), stage.logs), None
    state = _prepare(stage, stack, fresh, check_interval)
    if state is None:
        return 2
    stage.claim()
    try:
        timeline = _start(stage, stack, state)
        _play(stage, stack, timeline, state, seed, institutions)
        timeline.settle()
        stage.clock.run_on()
        officers = _officers(stage, stack.services)
        print(banner(stage, stack.services, officers), flush=True)
        return _keep_running(stack) if wait else 0
    except DemoError as error:
        print(f"\notg demo: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\notg demo: stopping …", file=sys.stderr)
        return 0
    finally:
        if timeline:
            timeline.stop()
        stack.stop()
        stage.release()


def _prepare(stage, stack, fresh, check_interval):
    """'new' or 'played', with the environment and the broker ready; None when refused."""
    try:
        stack.check_ports()  # first: --fresh must not empty the dir of a demo that runs
        state = stage.prepare(fresh)
    except DemoError as error:
        print(f"otg demo: {error}", file=sys.stderr)
        return None
    stage.environment(check_interval)
    broker.ensure_running(config.amqp_uri())
    signal.signal(signal.SIGTERM, _interrupt)  # stop as cleanly as on Ctrl-C
    return state


def _start(stage, stack, state):
    """The services (before any thread of the demo's own), then the timeline."""
    if state != PLAYED:
        stage.clock.set(day(15, 8, 30))  # before the services start: every event in campaign time
    print(f"otg demo: starting {', '.join(stack.services)} (logs in {stage.logs}) …", flush=True)
    stack.start()
    return Timeline(config.amqp_uri(), config.SERVICES).start()


def _play(stage, stack, timeline, state, seed, institutions):
    if state == PLAYED:
        print(f"otg demo: {stage.path} holds the demo played before; started it again "
              "(--fresh plays it from the start)", flush=True)
        return
    data = dataset.build(seed, institutions)
    stage.mark(status=LOADING, seed=seed, institutions=institutions)
    played = Campaign(Client(stack.services), timeline, data, stage.clock, stack.services).play()
    stage.mark(status=PLAYED, **played)


def _officers(stage, services):
    """One console account per role, each with a one-time password to print."""
    if "console" not in services:
        return []
    issued = officers.issue(set((stage.read() or {}).get("officers", [])))
    stage.mark(officers=[login for login, *_ in issued])
    return issued


def _keep_running(stack):
    print("Ctrl-C stops the services. Until then the timeline goes on with what happens "
          "(try the report form).", flush=True)
    died = stack.watch()
    print(f"otg demo: {died} exited; stopping the others (see {stack.log_dir / died}.log)",
          file=sys.stderr)
    return 1


def example_integrator(stage):
    """The file holding the example integrator account's feed token (minted afresh)."""
    path = stage.path / "example-integrator.token"
    stage.path.mkdir(parents=True, exist_ok=True)
    path.write_text(auth.issue("integrator", "", auth.CITY, types=EXAMPLE_INTEGRATOR_TYPES,
                               subject="example-integrator") + "\n")
    path.chmod(0o600)
    return path


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def banner(stage, services, accounts=()):
    """Where to look now: the console and its accounts, the public site, the dashboard,
    each API."""
    url, info, now = config.service_url, stage.read() or {}, stage.clock.now()
    lines = ["═" * 78, f"otg 演示运行中 · the demo is running — data in {stage.path}"]
    if now:
        lines.append(f"campaign clock {now:%Y-%m-%d %H:%M} Beijing time, running on in real time "
                     f"from the end of the campaign ({stage.clock.path})")
    if accounts:
        lines.append(f"  工作平台 officials' console {url('console')}/  (one-time passwords:")
        lines += [f"    {role:<12} {login:<17} {password}   {name} · {labels.district(district)}"
                  for login, name, role, district, password in accounts]
        lines.append("    the first sign-in asks for a new password)")
    lines.append(f"  公示网站 public site      {url('disclosure')}/")
    if "tasks" in services:
        lines.append(f"  治理看板 dashboard        {url('tasks')}/dashboard")
    lines.append(f"  举报入口 report form      {url('complaints')}/report?district=371002")
    if info.get("case_id"):
        lines.append(f"  曝光案例 exposed case     {url('disclosure')}/cases/{info['case_id']}")
    if info.get("tracking_code"):
        track = f"{url('complaints')}/report/track?code={info['tracking_code']}"
        lines.append(f"  举报查询 track a report   {track}")
    lines.append("  APIs (each: / links its API page /docs, /openapi.json, /events, /health):")
    lines += [f"    {name:<11} {url(name)}" for name in services]
    lines += [f"  tokens: OTG_DATA_DIR={stage.path} otg token issue --role coordinator "
              "--department education --district 371000"]
    lines += ["  integrator feed (the example account: public-interest events only):",
              f"    curl -H \"Authorization: Bearer $(cat {example_integrator(stage)})\" "
              f"{url('registry')}/events", "═" * 78]
    return "\n".join(lines)
