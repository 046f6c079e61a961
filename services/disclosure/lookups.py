"""Titles of checklist items and what a public finding says, so that a case states what was
found rather than an item id.

Events carry the item id only; the titles are inspection's public reference data
(`GET /checklists`). Fetched when a hazard arrives, cached, and optional: when
inspection does not answer, the case shows the finding's category instead."""
import json
import logging
import time

import urllib3

from shared import config

log = logging.getLogger(__name__)
TTL = 600      # seconds a fetched table is trusted
RETRY = 60     # seconds before asking again after a failure
_cache = {"titles": {}, "until": 0.0}
# One pool of kept-alive connections: a hazard's lookup then costs no TCP connect. urllib3
# itself, not `requests` over it: a lookup is one GET on every hazard, and requests' layers
# cost as much CPU as the rest of its handling (bench/README.md, "CPU per hazard").
_http = urllib3.PoolManager(maxsize=10, timeout=2, retries=False)
_FAILED = (urllib3.exceptions.HTTPError, ValueError, TypeError, AttributeError)


def _get(path):
    """The JSON of inspection's answer to GET `path`, or None if it is not 200."""
    answer = _http.request("GET", f"{config.service_url('inspection')}{path}")
    return json.loads(answer.data) if answer.status == 200 else None


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
        finding = _get(f"/public/findings/{finding_id}")
        return finding.get("description") if finding is not None else None
    except _FAILED as error:
        log.info("finding %s not available from inspection (%s)", finding_id, type(error).__name__)
        return None


def _refresh():
    try:
        checklists = _get("/checklists")
        if checklists is None:
            raise ValueError("not 200")
        titles = {item["id"]: item.get("title") for checklist in checklists
                  for item in checklist.get("items", []) if item.get("id")}
        _cache.update(titles=titles, until=time.monotonic() + TTL)
    except _FAILED as error:
        log.info("checklist titles not available from inspection (%s)", type(error).__name__)
        _cache["until"] = time.monotonic() + RETRY
