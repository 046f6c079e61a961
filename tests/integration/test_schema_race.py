"""Replicas started at once on a fresh PostgreSQL database all come up: creating the schema
is safe to race (two CREATE TABLEs at once otherwise collide in pg_type)."""
import subprocess
import sys
from pathlib import Path

import sqlalchemy

from otg import installation
from shared.store import normalise_url
from support import eventually

ROOT = Path(__file__).resolve().parents[2]
REPLICAS = 2
# a replica as `nameko run` sets it up, held at a barrier until every replica is ready
REPLICA = """
import os, sys, time
from nameko.containers import ServiceContainer
import services.{name}.service as module
from shared.service import Store
cls = next(c for c in vars(module).values() if isinstance(c, type) and getattr(c, "name", None) == "{name}")
container = ServiceContainer(cls, {{"AMQP_URI": "memory://", "DATABASE_URL": sys.argv[1]}})
store = next(d for d in container.dependencies if isinstance(d, Store))
open(sys.argv[2] + ".ready." + str(os.getpid()), "w").close()
while not os.path.exists(sys.argv[2] + ".go"):
    time.sleep(0.001)
store.setup()
"""


def test_replicas_of_every_service_create_the_schema_at_once(postgres_url, tmp_path):
    admin = sqlalchemy.create_engine(normalise_url(postgres_url), isolation_level="AUTOCOMMIT")
    databases = {name: f"{postgres_url.rsplit('/', 1)[1]}_{name}" for name in installation.services()}
    barrier = str(tmp_path / "barrier")
    try:
        replicas = {}
        for name, database in databases.items():  # one fresh database each, as in production
            with admin.connect() as conn:
                conn.exec_driver_sql(f'CREATE DATABASE "{database}"')
            url = postgres_url.rsplit("/", 1)[0] + f"/{database}"
            replicas[name] = [subprocess.Popen([sys.executable, "-c", REPLICA.format(name=name), url, barrier],
                                               cwd=ROOT, stderr=subprocess.PIPE) for _ in range(REPLICAS)]
        eventually(lambda: len(list(tmp_path.glob("barrier.ready.*"))) == REPLICAS * len(databases),
                   timeout=90)
        Path(barrier + ".go").touch()
        failures = {}
        for name, processes in replicas.items():
            errors = [process.communicate(timeout=90)[1].decode()[-400:] for process in processes]
            failures.update({name: error for process, error in zip(processes, errors) if process.returncode})
        assert failures == {}
    finally:
        with admin.connect() as conn:
            for database in databases.values():
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        admin.dispose()
