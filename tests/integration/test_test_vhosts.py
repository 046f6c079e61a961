"""Each test's throwaway vhost is named after the run, and is gone after the test."""
import requests

from support import RUN_TAG

MANAGEMENT = "http://127.0.0.1:15672/api/vhosts"


def vhosts():
    return [vhost["name"] for vhost in requests.get(MANAGEMENT, auth=("guest", "guest")).json()]


def test_a_test_vhost_carries_the_run_s_tag(amqp_uri):
    vhost = amqp_uri.rsplit("/", 1)[1]
    assert vhost.startswith(RUN_TAG) and vhost in vhosts()
