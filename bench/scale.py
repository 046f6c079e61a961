"""`python -m bench.scale`: a province-scale data set, and how otg behaves on it.

The data set (Shandong: bench/shandong.py) is made from a seed — the same seed, the
same institutions, credit codes, inspections and findings — and loaded through the
services' own write path: their aggregates (Institution, Inspection,
RectificationOrder) saved by units of work of their event store, which update the
projections in the same transaction. Then, on SQLite and/or PostgreSQL:

- `otg projections rebuild <service>` over the whole log, as its own process
  (events/s and peak RSS, best of --rounds);
- the queries behind the registry's search and lists and behind the public site's
  search, district, list and case pages at this size (p50/p99), against the same on a
  data set of the demo's size; disclosure's tables are filled by its own reactions to
  the registry's events (and cases published by hand), in-process;
- a district's white list as CSV (the district with the most institutions);
- a survey ledger read and checked (tasks' surveys.parse + surveys.check), and its
  peak memory against a ledger a tenth of its size.

Targets are reported, never asserted; the exit code is 0 (bench/README.md).
"""
import argparse
import csv
import io
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

from shared import creditcode
from shared.progress import Progress

from . import postgres, shandong
from .shandong import DISTRICTS

ROOT = Path(__file__).resolve().parent.parent
OTG = [sys.executable, "-c", "from otg.cli import main; main()"]
TODAY = date(2026, 11, 1)
UNIT = 250  # aggregates saved per unit of work while loading (as an import does)
CATEGORIES = ("academic", "arts", "sports", "science")
WORDS = ("启航", "博雅", "新星", "育才", "明德", "致远", "晨光", "书香", "智慧", "阳光",
         "英才", "墨韵", "跃动", "星火", "思源", "鸿志", "彩虹", "蓝天", "同心", "优学")
KINDS = {"academic": "学科培训", "arts": "艺术培训", "sports": "体育培训", "science": "科技培训"}


# -- the data set ----------------------------------------------------------------
HEAVY = "370102"  # 济南 历下区, a city centre: a tenth of the institutions (its white list)


def institutions(seed, count, districts=DISTRICTS):
    """The province's institutions as `Institution.register` arguments, reproducibly.
    The first of `districts` (in code order) or HEAVY carries a tenth of them."""
    rng = random.Random(seed)
    codes = sorted(districts)
    heavy = HEAVY if HEAVY in districts else codes[0]
    for n in range(count):
        district = heavy if n % 10 == 0 else rng.choice(codes)
        category = rng.choice(CATEGORIES)
        first17 = f"52{district}{n:08d}{rng.choice('0123456789')}"  # 5 2: a 民办非企业单位
        until = TODAY + timedelta(days=rng.randint(-60, 3 * 365))
        licences = [{"kind": "school_permit", "number": f"教民{district}{n:08d}号",
                     "valid_until": until},
                    {"kind": "npo_registration", "number": f"民证{n:08d}", "valid_until": until}]
        if rng.random() < 0.5:
            licences.append({"kind": "fire_safety", "number": f"消{n:08d}", "valid_until": until})
        yield {"institution_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
               "name": f"{districts[district]}{rng.choice(WORDS)}{rng.choice(WORDS)}"
                       f"{KINDS[category]}学校{n}",
               "credit_code": creditcode.complete(first17), "district": district,
               "category": category, "address": f"{districts[district]}{rng.randint(1, 999)}号",
               "licences": licences}


def load_registry(store, seed, count, districts=DISTRICTS):
    """Registers the institutions (Institution.register, saved by units of work) and
    suspends one in twenty by hand. Returns [(id, district, credit_code, name)]."""
    from services.registry.domain import Institution
    known = []
    with Progress("registry: registering", total=count, unit="institutions") as progress:
        batch = []
        for n, row in enumerate(institutions(seed, count, districts)):
            institution = Institution.register(**row)
            if n % 20 == 7:
                institution.suspend("消防通道堵塞,停业整改")
            batch.append(institution)
            known.append((institution.id, row["district"], row["credit_code"], row["name"]))
            if len(batch) == UNIT or n == count - 1:
                with store.unit() as uow:
                    uow.save(*batch)
                progress.advance(len(batch))
                batch = []
    return known


def load_inspection(store, seed, known, events):
    """Inspections of the known institutions — scheduled, findings recorded, completed,
    their rectification ordered — until the inspection log holds `events` events."""
    from services.inspection import checklists
    from services.inspection.domain import Inspection, RectificationOrder
    from services.inspection.service import InspectionService
    rng = random.Random(seed + 1)
    items = [checklists.item(i) for i in ("fire.responsibility", "fire.premises")]
    appended = 0
    with Progress("inspection: inspecting", total=events, unit="events") as progress:
        while appended < events:
            with store.unit() as uow:
                for _ in range(UNIT // 5):
                    institution_id, district, _code, _name = rng.choice(known)
                    inspection = Inspection.schedule(
                        district=district, kind="safety", departments=["fire", "education"],
                        modes=["unannounced"], institution_id=institution_id)
                    for _ in range(rng.choice((0, 0, 1, 1, 2, 3))):
                        inspection.record_finding(
                            rng.choice(items), rng.choice(("minor", "minor", "major", "critical")),
                            "安全出口上锁", "fire")
                    inspection.complete()
                    order = RectificationOrder.for_inspection(inspection, TODAY)
                    InspectionService._save(uow, inspection, *([order] if order else []))
            progress.advance(len(uow.appended))
            appended += len(uow.appended)
    return appended


def ledger(seed, known, rows):
    """A school's survey ledger (CSV) of `rows` enrolments: most at registered
    institutions by credit code, some by name only, some at unregistered ones."""
    rng = random.Random(seed + 2)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["pupil_id", "pupil_name", "grade", "class", "institution_name",
                     "credit_code", "course"])
    for n in range(rows):
        _id, _district, code, name = rng.choice(known)
        kind = rng.random()
        where = ((name, code) if kind < 0.8 else (name, "") if kind < 0.95
                 else (f"未登记{rng.choice(WORDS)}培训班{n % 50}", ""))
        writer.writerow([f"37{n:016d}", "学生", f"{rng.randint(1, 9)}年级", f"{rng.randint(1, 8)}班",
                         *where, rng.choice(("数学", "英语", "舞蹈", "编程", "钢琴"))])
    return out.getvalue().encode("utf-8")


# -- stores ------------------------------------------------------------------------
def stores(urls):
    from services.inspection import projections as inspection_views
    from services.inspection.events import CATALOGUE as INSPECTION
    from services.registry import mirror
    from services.registry.events import CATALOGUE as REGISTRY
    from services.registry.projections import RegistryViews
    from shared.store import EventStore
    registry = EventStore(urls["registry"], REGISTRY, [RegistryViews()])
    registry.create([mirror.metadata])
    inspection = EventStore(urls["inspection"], INSPECTION, [inspection_views.InspectionViews()])
    inspection.create([inspection_views.own_tables])
    return registry, inspection


def load(urls, seed, institution_count, events, districts=DISTRICTS):
    """Both logs filled; the institutions registered, as load_registry returns them."""
    registry, inspection = stores(urls)
    try:
        known = load_registry(registry, seed, institution_count, districts)
        load_inspection(inspection, seed, known,
                        max(0, events - registry.last_position()))
        return known
    finally:
        registry.dispose()
        inspection.dispose()


# -- measurements -------------------------------------------------------------------
def rebuild(service, url, env):
    """`otg projections rebuild SERVICE` as its own process: (seconds, peak RSS in MB,
    CPU seconds). On a shared machine the CPU seconds say what the wall clock cannot.
    Its read models only: no registry runs here to refill an institution directory from."""
    started = time.monotonic()
    child = subprocess.Popen([*OTG, "projections", "rebuild", service, "--without-directory"],
                             cwd=ROOT,
                             env={**env, f"{service.upper()}_DATABASE_URL": url},
                             stdout=subprocess.DEVNULL)
    _pid, status, usage = os.wait4(child.pid, 0)  # this child's own peak, in KiB
    child.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.monotonic() - started
    if child.returncode:
        raise SystemExit(f"otg projections rebuild {service} failed ({child.returncode})")
    return seconds, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def rebuild_figures(urls, rounds, env):
    from shared.store import EventStore
    figures = {}
    for service in ("registry", "inspection"):
        store = EventStore(urls[service], None)
        events = store.last_position()
        store.dispose()
        runs = [rebuild(service, urls[service], env) for _ in range(rounds)]
        seconds = min(s for s, _, _ in runs)
        cpu = min(c for _, _, c in runs)
        figures[service] = {"events": events, "seconds": seconds, "rate": events / seconds,
                            "cpu_seconds": cpu, "cpu_rate": events / cpu,
                            "rss_mb": max(r for _, r, _ in runs)}
    return figures


def p99(samples):
    return statistics.quantiles(samples, n=100)[98] * 1000 if len(samples) > 1 else samples[0] * 1000


def p50_p99(samples):
    """(median, p99) in milliseconds: on a shared box the median shows the work, p99
    the work and the neighbours."""
    return statistics.median(samples) * 1000, p99(samples)


def timed(call, repeat):
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return samples


def publish_white_lists(urls, districts):
    """Each district's white list published by the registry (ListBatches, as
    POST /lists/white/batches does): what the public lists show."""
    from services.registry import projections as views
    from services.registry.domain import ListBatches
    registry, inspection = stores(urls)
    inspection.dispose()
    try:
        for district in sorted(districts):
            with registry.unit() as uow:
                members = views.list_members(uow.conn, district, "white", TODAY)
                stream = ListBatches.stream_id(district, "white")
                batches = uow.get(ListBatches, stream) or ListBatches(stream)
                batches.publish(district, "white", [m["id"] for m in members], TODAY)
                uow.save(batches)
    finally:
        registry.dispose()


def load_disclosure(urls, seed, known, cases):
    """Disclosure's tables as its reactions write them: the registry's events handed to
    its subscription table in log order (in-process, as tests/inprocess.py does; UNIT
    events per unit of work), then `cases` cases published by hand (POST /api/cases's
    path: Case.expose). The inspection log is not followed: its findings' reactions ask
    the inspection service over HTTP for texts."""
    from services.disclosure import mirror as disclosure_mirror, policies
    from services.disclosure.domain import Case
    from services.disclosure.service import DisclosureService
    from services.disclosure.subscriptions import SUBSCRIPTIONS
    from services.registry.events import CATALOGUE as REGISTRY
    from shared import envelope
    from shared.clock import default_clock
    from shared.store import Context, EventStore
    from shared.subscriptions import Event
    spec = DisclosureService.store
    store = EventStore(urls["disclosure"], spec.catalogue, [p() for p in spec.projections])
    store.create(spec.tables)
    registry = EventStore(urls["registry"], REGISTRY)
    names = sorted(name for source, name in SUBSCRIPTIONS if source == "registry")
    now = default_clock().now()
    try:
        position, total = 0, registry.last_position()
        with Progress("disclosure: following the registry", total=total, unit="events") as progress:
            while batch := registry.read_after(position, UNIT, names):
                with store.unit(Context(actor="disclosure/policy")) as uow:
                    for stored in batch:
                        attrs = envelope.structured("registry", stored, registry.catalogue)
                        SUBSCRIPTIONS[("registry", stored.name)](uow, Event(
                            "registry", stored.name, attrs.pop("data") or {}, attrs, now))
                progress.advance(batch[-1].position - position)
                position = batch[-1].position
        rng = random.Random(seed + 3)
        with Progress("disclosure: cases by hand", total=cases, unit="cases") as progress:
            for start in range(0, cases, UNIT):
                with store.unit(Context(actor="disclosure/publisher")) as uow:
                    for _ in range(min(UNIT, cases - start)):
                        institution_id, district, _code, _name = rng.choice(known)
                        case_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
                        body = {"district": district, "institution_id": institution_id,
                                "category": "prepaid_fee", "summary": "违规预收费超过三个月",
                                "decision": "责令限期整改", "found_on": TODAY}
                        facts, found_at = policies.by_hand_case(
                            case_id, body, disclosure_mirror.institution(uow.conn, institution_id),
                            "education", now.isoformat())
                        case = Case(case_id)
                        case.expose("violation", facts, found_at, now)
                        uow.save(case)
                progress.advance(min(UNIT, cases - start))
    finally:
        store.dispose()
        registry.dispose()


def query_figures(urls, known, repeat=200):
    """p99 of the queries behind the registry's search and list APIs and behind the
    public site's search, district, list and case pages, at this size (milliseconds;
    the white-list CSV in seconds)."""
    from sqlalchemy import select

    from services.disclosure import queries
    from services.disclosure.projections import cases
    from services.disclosure.service import DisclosureService
    from services.registry import projections as views
    from services.registry.events import CATALOGUE
    from shared.store import EventStore
    registry = EventStore(urls["registry"], CATALOGUE)
    disclosure = EventStore(urls["disclosure"], DisclosureService.store.catalogue)
    rng = random.Random(7)
    districts = sorted({district for _, district, _, _ in known})
    ask = {"part of a name": lambda: rng.choice(known)[3][-8:],  # 科技培训学校1234
           "two characters": lambda: rng.choice(WORDS),  # in a tenth of the names
           "three characters": lambda: rng.choice(known)[3][-3:],
           "a credit code": lambda: rng.choice(known)[2]}
    figures = {}
    try:
        with registry.read() as conn:
            for what, q in ask.items():
                figures[f"registry: search, {what}"] = p50_p99(timed(
                    lambda: views.search(conn, TODAY, q=q()), repeat))
            figures["registry: a district's white list"] = p50_p99(timed(
                lambda: views.search(conn, TODAY, district=rng.choice(districts),
                                     list_status="white"), repeat))
            members = []
            csv_seconds = timed(lambda: members.append(_white_csv(conn, views, HEAVY)), 5)
        with disclosure.read() as conn:
            for what, q in ask.items():
                figures[f"public: /api/institutions?q= ({what})"] = p50_p99(timed(
                    lambda: queries.search(conn, q()), repeat))
            figures["public: a district's lists (/districts/<d>)"] = p50_p99(timed(
                lambda: queries.district_view(conn, rng.choice(districts)), repeat))
            figures["public: a district's white list (/api/lists/white)"] = p50_p99(timed(
                lambda: queries.list_view(conn, "white", rng.choice(districts)), repeat))
            case_ids = list(conn.execute(select(cases.c.case_id)).scalars())
            figures["public: a case page (/cases/<id>)"] = p50_p99(timed(
                lambda: queries.case_detail(conn, rng.choice(case_ids)), repeat))
    finally:
        registry.dispose()
        disclosure.dispose()
    return {"p99_ms": figures, "white_csv_seconds": min(csv_seconds),
            "white_csv_rows": members[-1]}


def _white_csv(conn, views, district):
    rows = views.list_members(conn, district, "white", TODAY)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["name", "credit_code", "district"])
    writer.writerows([r["name"], r["credit_code"], r["district"]] for r in rows)
    return len(rows)


DEMO_SIZE = 300  # institutions in the demo (`otg demo`), for the within-2× comparison


def public_figures(urls, known, args, demo_urls=None):
    """The query figures at this size and, in databases of their own, at the demo's."""
    publish_white_lists(urls, {district for _, district, _, _ in known})
    load_disclosure(urls, args.seed, known, args.cases)
    analyze(urls)
    figures = query_figures(urls, known)
    if demo_urls is not None:
        sixteen = dict(sorted(DISTRICTS.items())[:16])  # as many as Weihai's, the demo's
        small = load(demo_urls, args.seed, DEMO_SIZE, DEMO_SIZE * 10, sixteen)
        publish_white_lists(demo_urls, {district for _, district, _, _ in small})
        load_disclosure(demo_urls, args.seed, small, DEMO_SIZE // 10)
        analyze(demo_urls)
        figures["demo_p99_ms"] = query_figures(demo_urls, small)["p99_ms"]
    return figures


def analyze(urls):
    """PostgreSQL's planner statistics after the bulk load, as its autovacuum gathers them
    in a running deployment (and as PostgreSQL's docs ask after loading a database):
    without them it guessed a search's plans blind (p50 3–4× higher at 20,000). SQLite
    keeps none unless asked, in a deployment too, so it is measured as it runs."""
    from sqlalchemy import create_engine, text

    from shared.store import normalise_url
    for url in urls.values():
        if url.startswith("postgresql"):
            engine = create_engine(normalise_url(url), isolation_level="AUTOCOMMIT")
            with engine.connect() as conn:
                conn.execute(text("ANALYZE"))
            engine.dispose()


def report_queries(q):
    demo = q.get("demo_p99_ms", {})
    print(f"{'query behind a page or API (ms)':56} {'p50':>6} {'p99':>6} {'demo p50':>8} "
          f"{'p99':>6}  target: p99 ≤ 50, ≤ 2× demo")
    for what, (p50, p99_) in q["p99_ms"].items():
        small = demo.get(what, (float("nan"),) * 2)
        met = "met" if p99_ <= 50 and not p99_ > 2 * max(small[1], 1) else "MISSED"
        print(f"{what:56} {p50:6.1f} {p99_:6.1f} {small[0]:8.1f} {small[1]:6.1f}  {met}")
    print(f"white-list CSV of {q['white_csv_rows']:,} rows (one district)  {q['white_csv_seconds']:.3f} s"
          f"  (≤ 0.5 s)")


LEDGER_CHILD = """
import resource, sys, time
from services.tasks import surveys
content = open(sys.argv[1], 'rb').read()
lookup = dict()
for line in open(sys.argv[2], encoding='utf-8'):
    code, name = line.rstrip('\\n').split('\\t')
    lookup[code] = {'id': code, 'name': name, 'credit_code': code, 'district': '370102',
                    'white': True}
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
entries = surveys.parse(content, 'ledger.csv', 'k' * 32)
counts, unlisted, verdicts = surveys.check(entries, lambda code, name: lookup.get(code))
print(time.perf_counter() - started, (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base) / 1024,
      counts['enrolment_count'])
"""


def ledger_figures(seed, known, rows, workdir):
    """A ledger read and checked in a process of its own: seconds and the memory it
    added, for `rows` and for a tenth of them (flat memory: the two stay close)."""
    registered = Path(workdir) / "registered.tsv"
    registered.write_text("".join(f"{code}\t{name}\n" for _, _, code, name in known),
                          encoding="utf-8")
    figures = {}
    for size in (rows // 10, rows):
        path = Path(workdir) / f"ledger-{size}.csv"
        path.write_bytes(ledger(seed, known, size))
        out = subprocess.run([sys.executable, "-c", LEDGER_CHILD, str(path), str(registered)],
                             check=True, cwd=ROOT, capture_output=True, text=True).stdout.split()
        figures[size] = {"seconds": float(out[0]), "added_mb": float(out[1]),
                         "enrolments": int(out[2])}
    return figures


def catch_up_figures(urls, fresh_url, workdir, amqp_uri, rounds, profile=None):
    """The inspection service started empty against the loaded registry (its feed, as a
    process): the registry events it follows per second of its catch-up, best of
    `rounds`, timed from its first page's commit to its cursor at the registry's last
    followed event (both processes boot first; the relays are off). With `profile` (a
    path), py-spy samples the follower of the first round into it."""
    import secrets as _secrets

    import requests
    from sqlalchemy import create_engine, func, select, text

    from bench import broker
    from bench.endtoend import sampling
    from services.inspection.subscriptions import SUBSCRIPTIONS
    from otg import runner
    from shared import config
    from shared.store import events_table, normalise_url
    followed = [name for source, name in SUBSCRIPTIONS if source == "registry"]
    source = create_engine(normalise_url(urls["registry"]))
    with source.connect() as conn:
        last, count = conn.execute(select(func.max(events_table.c.position), func.count())
                                   .where(events_table.c.name.in_(followed))).one()
    source.dispose()
    runs = []
    with broker.throwaway_vhost(amqp_uri) as vhost:
        ports = {s: broker.free_port() for s in ("registry", "inspection")}
        env = {**os.environ, "AMQP_URI": vhost, "OTG_JWT_SECRET": _secrets.token_hex(32),
               "OTG_RELAY": "0", "OTG_LOG_LEVEL": "ERROR", "OTG_DATA_DIR": str(workdir),
               "REGISTRY_DATABASE_URL": urls["registry"]}
        for service in config.SERVICES:  # never catch up from a real one
            env[f"OTG_{service.upper()}_URL"] = "http://127.0.0.1:1"
        for service, port in ports.items():
            env[f"OTG_{service.upper()}_PORT"] = str(port)
            env[f"OTG_{service.upper()}_URL"] = f"http://127.0.0.1:{port}"
        registry = runner.start("registry", env, stdout=subprocess.DEVNULL)
        try:
            _wait_healthy(requests, env["OTG_REGISTRY_URL"])
            for n in range(rounds):
                target = fresh_url(n)
                follower = runner.start("inspection", {**env, "INSPECTION_DATABASE_URL": target},
                                        stdout=subprocess.DEVNULL)
                try:
                    with sampling(follower.pid, profile if n == 0 else None):
                        runs.append(_time_catch_up(create_engine(normalise_url(target)), last,
                                                   count, select, text))
                finally:
                    follower.terminate()
                    follower.wait(30)
        finally:
            registry.terminate()
            registry.wait(30)
    seconds, events = min(runs)
    return {"events": events, "seconds": seconds, "rate": events / seconds,
            "followed_events": count, "source_events": _log_size(urls["registry"])}


def _wait_healthy(requests, base, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(base + "/health", timeout=2).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{base} did not answer in {timeout} s")


def _time_catch_up(engine, last, count, select, text, timeout=1800):
    """(seconds, events) from the first committed page to the cursor at `last`."""
    query = text("SELECT position FROM cursors WHERE name LIKE 'follow:registry:%'")
    first = started = None
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            try:
                with engine.connect() as conn:
                    position = conn.execute(query).scalar()
            except Exception:  # its tables are not there yet
                position = None
            if position and started is None:
                started = time.monotonic()
                with engine.connect() as conn:  # the events of that first page
                    first = conn.execute(text("SELECT count(*) FROM inbox")).scalar()
            if position is not None and position >= last:
                return time.monotonic() - started, count - first
            time.sleep(0.02)
    finally:
        engine.dispose()
    raise SystemExit("the follower did not catch up")


def _log_size(url):
    from shared.store import EventStore
    store = EventStore(url, None)
    try:
        return store.last_position()
    finally:
        store.dispose()


# -- databases ---------------------------------------------------------------------
SERVICES = ("registry", "inspection", "disclosure")


def sqlite_urls(workdir):
    Path(workdir).mkdir(exist_ok=True)
    return {s: f"sqlite:///{workdir}/{s}.db" for s in SERVICES}


class PostgresDatabases:
    """A database per service on the local PostgreSQL, dropped afterwards."""

    def __init__(self, server, tag=""):
        self.databases = postgres.Throwaway(server)
        self.prefix = f"otg_scale_{os.getpid()}{tag}"

    def __enter__(self):
        self.urls = {s: self.databases.create(f"{self.prefix}_{s}") for s in SERVICES}
        return self

    def fresh(self, n):
        """One more empty database (a follower's), dropped with the others."""
        return self.databases.create(f"{self.prefix}_follower{n}")

    def __exit__(self, *_):
        self.databases.drop_all()


# -- the run ------------------------------------------------------------------------
def run_on(label, urls, args, workdir, fresh_url, demo_urls=None):
    env = {**os.environ, "OTG_DATA_DIR": str(workdir), "OTG_CLI_NO_PLUGINS": "1"}
    print(f"\n== {label}: loading {args.institutions:,} institutions, {args.events:,} events "
          f"(seed {args.seed})", flush=True)
    started = time.monotonic()
    known = load(urls, args.seed, args.institutions, args.events)
    loaded = time.monotonic() - started
    figures = {"load_seconds": loaded, "rebuild": rebuild_figures(urls, args.rounds, env),
               "queries": public_figures(urls, known, args, demo_urls),
               "catch_up": catch_up_figures(urls, fresh_url, workdir, args.amqp_uri, args.rounds,
                                            args.profile_catch_up)}
    if label == "SQLite":
        figures["ledger"] = ledger_figures(args.seed, known, args.ledger_rows, workdir)
    report(label, figures, args)
    return figures


def report(label, figures, args):
    print(f"\n{label}: loaded in {figures['load_seconds']:.0f} s")
    print(f"{'rebuild (otg projections rebuild)':36} {'events':>9} {'seconds':>8} {'events/s':>9} "
          f"{'per CPU s':>9} {'peak RSS':>9}  target")
    for service, f in figures["rebuild"].items():
        met = "met" if f["rate"] >= 50_000 and f["rss_mb"] <= 300 else "MISSED"
        print(f"{service:36} {f['events']:>9,} {f['seconds']:>8.1f} {f['rate']:>9,.0f} "
              f"{f['cpu_rate']:>9,.0f} {f['rss_mb']:>6.0f} MB  ≥ 50,000/s, ≤ 300 MB {met}")
    report_queries(figures["queries"])
    c = figures["catch_up"]
    met = "met" if c["rate"] >= 20_000 else "MISSED"
    print(f"follower catch-up (inspection ← registry feed, {c['source_events']:,} events in the log, "
          f"{c['followed_events']:,} followed)  {c['events']:,} in {c['seconds']:.1f} s = "
          f"{c['rate']:,.0f}/s  ≥ 20,000/s {met}")
    for size, f in figures.get("ledger", {}).items():
        print(f"survey ledger of {size:,} rows read and checked  {f['seconds']:.2f} s, "
              f"+{f['added_mb']:.0f} MB  (≤ 5 s, flat memory)")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__.split("\n")[0])
    parser.add_argument("--institutions", type=int, default=50_000)
    parser.add_argument("--events", type=int, default=1_000_000,
                        help="events across the registry and inspection logs")
    parser.add_argument("--ledger-rows", type=int, default=10_000)
    parser.add_argument("--cases", type=int, default=5_000,
                        help="cases published by hand on the public site")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clients", type=int, default=64,
                        help="clients asking the disclosure service for a page they hold (0 skips)")
    parser.add_argument("--amqp-uri", default="amqp://guest:guest@127.0.0.1:5672/")
    parser.add_argument("--profile-catch-up", metavar="PATH",
                        help="sample the follower's first catch-up with py-spy (speedscope; "
                             "`.txt` = collapsed stacks; with both databases, the last run's)")
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--postgres", default=os.environ.get(
        "OTG_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432"),
        help="the PostgreSQL server (a database is made and dropped there)")
    args = parser.parse_args(argv)
    # before any service module is imported: their events accept the province's districts
    os.environ["OTG_DISTRICTS_FILE"] = str(shandong.FILE)
    with tempfile.TemporaryDirectory(prefix="otg-scale-") as workdir:
        if args.database in ("sqlite", "both"):
            run_on("SQLite", sqlite_urls(workdir), args, workdir,
                   lambda n: f"sqlite:///{workdir}/follower{n}.db", sqlite_urls(f"{workdir}/demo"))
        if args.database in ("postgresql", "both"):
            with PostgresDatabases(args.postgres) as databases, \
                    PostgresDatabases(args.postgres, "_demo") as demo:
                run_on("PostgreSQL", databases.urls, args, workdir, databases.fresh, demo.urls)
    if args.clients:
        conditional_figures(args)


def conditional_figures(args):
    from . import conditional
    runs = [conditional.run(args.amqp_uri, clients=args.clients) for _ in range(args.rounds)]
    best = max(runs, key=lambda r: r["rate"])
    met = "met" if best["rate"] >= 1000 and best["not_modified"] == best["requests"] else "MISSED"
    print(f"\nconditional GET of a district page, {best['clients']} clients: {best['rate']:,.0f}/s "
          f"({best['not_modified']:,} of {best['requests']:,} answered 304; best of "
          f"{len(runs)})  ≥ 1,000/s {met}")
    return best


if __name__ == "__main__":
    main()
