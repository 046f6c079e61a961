"""One relay per database publishes: the relay lease, a PostgreSQL advisory lock
that its holder's death frees."""
import subprocess
import sys

from shared.relay import Lease
from support import eventually

HOLDER = """
import sys, time
from shared.relay import Lease
lease = Lease(sys.argv[1])
print("held" if lease.acquire() else "refused", flush=True)
time.sleep(600)
"""


def hold_in_another_process(url):
    process = subprocess.Popen([sys.executable, "-c", HOLDER, url], stdout=subprocess.PIPE, text=True)
    return process, process.stdout.readline().strip()


def test_the_lease_is_taken_over_within_seconds_when_its_holder_is_killed(postgres_url):
    holder, answer = hold_in_another_process(postgres_url)
    standby = Lease(postgres_url)
    try:
        assert answer == "held"
        assert not standby.acquire() and not standby.holding
        holder.kill()  # SIGKILL: no chance to release anything
        holder.wait()
        assert eventually(standby.acquire, timeout=5)
        assert standby.held()
        latecomer, answer = hold_in_another_process(postgres_url)
        latecomer.kill()
        assert answer == "refused"
    finally:
        holder.kill()
        standby.release()


def test_a_released_lease_is_free_for_the_next_relay(postgres_url):
    first, second = Lease(postgres_url), Lease(postgres_url)
    try:
        assert first.acquire() and first.acquire()  # holding it again is holding it
        assert not second.acquire()
        first.release()
        assert second.acquire() and not first.held()
    finally:
        first.release()
        second.release()


def test_on_sqlite_the_one_process_always_holds_the_lease(tmp_path):
    assert Lease(f"sqlite:///{tmp_path / 'registry.db'}").acquire()
