"""Checklists as versioned data files (the *.yaml beside this module), loaded once.

Each file names its source and states where the official wording is uncertain;
item ids are unique across all checklists, so a finding names just the item."""
from functools import lru_cache
from pathlib import Path

import yaml

from shared.errors import BadRequest, NotFound

from ..events import CATEGORIES

FOLDER = Path(__file__).parent  # the YAML files sit beside this module
REQUIRED = ("id", "version", "title", "source", "kinds", "items")


@lru_cache(maxsize=None)
def all_checklists():
    """{checklist id: checklist dict}, checked for the shape the service relies on."""
    loaded = {}
    for path in sorted(FOLDER.glob("*.yaml")):
        checklist = yaml.safe_load(path.read_text(encoding="utf-8"))
        missing = [key for key in REQUIRED if key not in checklist]
        if missing:
            raise ValueError(f"{path.name} lacks {', '.join(missing)}")
        for item in checklist["items"]:
            if item.get("category") not in CATEGORIES or not item.get("source"):
                raise ValueError(f"{path.name}: item {item.get('id')} needs a category and a source")
        loaded[checklist["id"]] = checklist
    return loaded


@lru_cache(maxsize=None)
def _items():
    index = {}
    for checklist in all_checklists().values():
        for item in checklist["items"]:
            if item["id"] in index:
                raise ValueError(f"item id {item['id']} appears in two checklists")
            index[item["id"]] = {**item, "checklist": f"{checklist['id']}@{checklist['version']}"}
    return index


def get(checklist_id):
    try:
        return all_checklists()[checklist_id]
    except KeyError:
        raise NotFound(f"no checklist {checklist_id!r}") from None


def item(item_id, field="item"):
    """The item with its category and `checklist` (id@version); 400 for an unknown id."""
    try:
        return _items()[item_id]
    except KeyError:
        raise BadRequest("unknown checklist item", {field: [
            f"{item_id!r} is not an item of any checklist (GET /checklists)"]}) from None


def summary(checklist):
    return {key: checklist[key] for key in ("id", "version", "title", "title_en", "kinds",
                                            "source", "uncertainty", "items") if key in checklist}
