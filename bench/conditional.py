"""The public site at a peak: 64 clients asking for a district page they hold
(If-None-Match) from the disclosure service as its own process; the 304s a second.
The clients are 4 processes of 16 threads, each on a kept-alive connection, so
that the clients' GIL is not the figure."""
import http.client
import multiprocessing
import tempfile
import threading
import time
from urllib.parse import urlparse

from bench import broker
from bench.cluster import Services

PATH = "/districts/371002"


def _client_process(url, tag, threads, requests_each, results):
    parts = urlparse(url)
    answered = []

    def client():
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        statuses = []
        for _ in range(requests_each):
            conn.request("GET", PATH, headers={"If-None-Match": tag})
            response = conn.getresponse()
            response.read()
            statuses.append(response.status)
        answered.extend(statuses)
        conn.close()

    workers = [threading.Thread(target=client) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    results.put((answered.count(304), len(answered)))


def run(amqp_uri, clients=64, requests_each=50, processes=4, management=broker.MANAGEMENT):
    """{"requests", "not_modified", "seconds", "rate"} of conditional requests."""
    with broker.throwaway_vhost(amqp_uri, management) as vhost, \
            tempfile.TemporaryDirectory(prefix="otg-conditional-") as data_dir, \
            Services(vhost, data_dir, ["disclosure"]) as services:
        import requests
        url = services.url("disclosure")
        first = requests.get(url + PATH, timeout=10)
        tag = first.headers["ETag"]
        results = multiprocessing.Queue()
        children = [multiprocessing.Process(target=_client_process, args=(
            url, tag, clients // processes, requests_each, results)) for _ in range(processes)]
        started = time.monotonic()
        for child in children:
            child.start()
        counts = [results.get(timeout=600) for _ in children]
        seconds = time.monotonic() - started
        for child in children:
            child.join()
    not_modified, total = map(sum, zip(*counts))
    return {"requests": total, "not_modified": not_modified, "seconds": seconds,
            "rate": total / seconds, "clients": clients}
