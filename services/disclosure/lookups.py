"""Titles of checklist items and what a public finding says, so that a case states what was
found rather than an item id.

Events carry the item id only; the titles are inspection's public reference data
(`GET /checklists`). Fetched when a hazard arrives, cached, and optional: when
inspection does not answer, the case shows the finding's category instead."""
import logging
import time

import requests

from shared import config

log = logging.getLogger(__name__)
TTL = 600      # seconds a fetched table is trusted
RETRY = 60     # seconds before asking again after a failure
_cache = {"titles": {}, "until": 0.0}
# One pool of kept-alive connections: a hazard's lookup then costs no TCP connect and no
# new session (its stream makes up to `max_workers` of them at once: shared.messaging).
_http = requests.Session()
_http.mount("http://", requests.adapters.HTTPAdapter(pool_maxsize=10))


def item_title(item_id):
    if not item_id:
        return None
    if time.monotonic() > _cache["until"]:
        _refresh()
    return _cache["titles"].get(item_id)


def finding_description(finding_id):
    """What the inspector wrote about a major/critical finding (inspection masks contact
    details; so does the case), or None when inspection does not answer."""
    if not finding_id:
        return None
    try:
        answer = _http.get(f"{config.service_url('inspection')}/public/findings/{finding_id}",
                           timeout=2)
        return answer.json().get("description") if answer.status_code == 200 else None
    except (requests.RequestException, ValueError, AttributeError) as error:
        log.info("finding %s not available from inspection (%s)", finding_id, type(error).__name__)
        return None


def _refresh():
    try:
        answer = _http.get(f"{config.service_url('inspection')}/checklists", timeout=2)
        answer.raise_for_status()
        titles = {item["id"]: item.get("title") for checklist in answer.json()
                  for item in checklist.get("items", []) if item.get("id")}
        _cache.update(titles=titles, until=time.monotonic() + TTL)
    except (requests.RequestException, ValueError, TypeError, AttributeError) as error:
        log.info("checklist titles not available from inspection (%s)", type(error).__name__)
        _cache["until"] = time.monotonic() + RETRY
