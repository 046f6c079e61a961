"""The complaint rules data file (rules.yaml): category labels, routing, deadlines,
keywords. Read once per process; a broken file stops the service at start."""
import os
import re
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from pathlib import Path

import yaml

from shared.vocabulary import DEPARTMENTS, DISTRICTS

from .events import CATEGORIES, STAGES

DEFAULT_FILE = Path(__file__).with_name("rules.yaml")
_DURATION = re.compile(r"^\s*(\d+)\s*([hd])\s*$")
SUPERVISING = "supervising"


class RulesError(ValueError):
    """The rules file is unusable; the message says where."""


@dataclass(frozen=True)
class Category:
    code: str
    label: str
    lead: str
    fallback: str
    handling: tuple
    periods: dict      # stage -> timedelta
    keywords: tuple
    focus: tuple


class Rules:
    def __init__(self, categories, districts):
        self.categories = categories      # code -> Category
        self.districts = districts        # district -> {code -> Category}

    def category(self, code, district=None):
        return self.districts.get(district, {}).get(code) or self.categories[code]

    def label(self, code):
        return self.categories[code].label

    def guess_category(self, text):
        """The category whose keywords occur most often in `text`; "other" if none does."""
        scores = {code: sum(text.count(word) for word in c.keywords)
                  for code, c in self.categories.items()}
        best = max(scores, key=lambda code: (scores[code], -CATEGORIES.index(code)))
        return best if scores[best] else "other"


def parse_duration(text, where):
    match = _DURATION.match(str(text))
    if not match:
        raise RulesError(f"{where}: {text!r} is not a duration like 24h or 5d")
    amount, unit = int(match.group(1)), match.group(2)
    return timedelta(hours=amount) if unit == "h" else timedelta(days=amount)


def _department(value, where):
    if value not in DEPARTMENTS:
        raise RulesError(f"{where}: unknown department {value!r}")
    return value


def _category(code, spec, base=None):
    where = f"categories.{code}"
    spec = {**(base.__dict__ if base else {}), **(spec or {})}
    lead = spec.get("lead")
    if lead != SUPERVISING:
        _department(lead, f"{where}.lead")
    fallback = _department(spec.get("fallback") or (lead if lead != SUPERVISING else "education"),
                           f"{where}.fallback")
    raw = spec.get("deadlines") if "deadlines" in spec else spec["periods"]
    periods = {stage: (raw[stage] if isinstance(raw[stage], timedelta)
                       else parse_duration(raw[stage], f"{where}.deadlines.{stage}"))
               for stage in STAGES if stage in raw}
    if set(periods) != set(STAGES):
        raise RulesError(f"{where}.deadlines: needs {', '.join(STAGES)}")
    if not periods["acknowledge"] <= periods["verify"] <= periods["answer"]:
        raise RulesError(f"{where}.deadlines: acknowledge ≤ verify ≤ answer")
    return Category(code, str(spec.get("label") or code), lead, fallback,
                    tuple(_department(d, f"{where}.handling") for d in spec.get("handling") or ()),
                    periods, tuple(spec.get("keywords") or ()), tuple(spec.get("focus") or ()))


def parse(document):
    """Rules from the parsed YAML document; RulesError names the first problem."""
    raw = (document or {}).get("categories") or {}
    missing = [code for code in CATEGORIES if code not in raw]
    unknown = [code for code in raw if code not in CATEGORIES]
    if missing or unknown:
        raise RulesError(f"categories: missing {missing}, unknown {unknown}")
    categories = {code: _category(code, raw[code]) for code in CATEGORIES}
    districts = {}
    for district, overrides in ((document or {}).get("districts") or {}).items():
        if str(district) not in DISTRICTS:
            raise RulesError(f"districts: unknown district {district!r}")
        wrong = [code for code in overrides or {} if code not in CATEGORIES]
        if wrong:
            raise RulesError(f"districts.{district}: unknown categories {wrong}")
        districts[str(district)] = {code: _category(code, spec, categories[code])
                                    for code, spec in (overrides or {}).items()}
    return Rules(categories, districts)


@lru_cache(maxsize=4)
def load(path=None):
    path = Path(path or os.environ.get("OTG_COMPLAINTS_RULES") or DEFAULT_FILE)
    with open(path, encoding="utf-8") as handle:
        return parse(yaml.safe_load(handle))
