"""Making sure a RabbitMQ broker answers before services start."""
import shutil
import subprocess
import sys
import time
from urllib.parse import urlparse

from kombu import Connection

LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1", "")


def answers(amqp_uri, timeout=3):
    try:
        with Connection(amqp_uri, connect_timeout=timeout) as conn:
            conn.ensure_connection(max_retries=1)
        return True
    except Exception:
        return False


def ensure_running(amqp_uri, wait_seconds=60):
    """Return when the broker answers; start a local rabbitmq-server if none does."""
    if answers(amqp_uri):
        return
    host = urlparse(amqp_uri).hostname or ""
    server = shutil.which("rabbitmq-server")
    if host not in LOCAL_HOSTS or server is None:
        sys.exit(f"otg: no RabbitMQ broker answers at {amqp_uri}.\n"
                 "Start one (Debian/Ubuntu: `sudo apt-get install rabbitmq-server`, then "
                 "`sudo rabbitmq-server -detached`; or `docker run -d -p 5672:5672 "
                 "rabbitmq:3-management`) or set AMQP_URI to a broker that runs.")
    print(f"otg: starting a local RabbitMQ ({server} -detached) …", file=sys.stderr)
    subprocess.run([server, "-detached"], check=False)
    deadline = time.monotonic() + wait_seconds
    while time.monotonic() < deadline:
        if answers(amqp_uri, timeout=2):
            return
        time.sleep(1)
    sys.exit(f"otg: started rabbitmq-server, but nothing answers at {amqp_uri} "
             f"after {wait_seconds}s; see its log (usually /var/log/rabbitmq/).")
