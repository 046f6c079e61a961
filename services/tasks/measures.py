"""How each task is measured: pure functions from a district's facts (counts
built from events, see projections.facts) to a value in 0..1, done or not.

A share with an empty denominator (no institutions or schools known in the
district) is `None` and never done: nothing measurable has happened yet.
"""
from dataclasses import dataclass, field

EPSILON = 1e-9


@dataclass(frozen=True)
class Measured:
    value: float | None
    done: bool
    details: dict = field(default_factory=dict)
    reopens: str | None = None  # why a task done already is open again (new work of its own)


def measure(task, facts):
    spec = task["measure"]
    return MEASURES[spec["kind"]](spec, task.get("target", 1.0), facts)


def _share(numerator, denominator, target, **details):
    value = numerator / denominator if denominator else None
    done = value is not None and value + EPSILON >= target
    return Measured(value, done, {"numerator": numerator, "denominator": denominator, **details})


def plan_filed(spec, target, facts):
    filed = facts["plan_filed_on"]
    return Measured(1.0 if filed else 0.0, bool(filed), {"filed_on": filed})


def lists_published_and_filed(spec, target, facts):
    """Each list counts twice: published (registry batch or disclosure) and filed."""
    steps = {}
    for name in spec.get("lists", ("white", "black")):
        state = facts["lists"].get(name, {})
        steps[f"{name}_published"] = bool(state.get("published"))
        steps[f"{name}_filed"] = bool(state.get("filed"))
    value = sum(steps.values()) / len(steps)
    return Measured(value, value + EPSILON >= target, steps)


def self_inspection_share(spec, target, facts):
    result = _share(facts["self_inspected"], facts["institutions"], target,
                    carry_over_total=facts["carry_over_total"],
                    carry_over_open=facts["carry_over_open"])
    if spec.get("carry_over_closed", True) and facts["carry_over_open"]:
        return Measured(result.value, False, result.details, reopens="carry_over_open")
    return result


def survey_share(spec, target, facts):
    return _share(facts["surveyed"], facts["schools"], target,
                  enrolments=facts["enrolments"], unlisted=facts["unlisted"])


def meetings_share(spec, target, facts):
    minimum = spec.get("min_meetings", 1)
    held = [total for total in facts["meetings"] if total >= minimum]
    return _share(len(held), facts["schools"], target, meetings=sum(facts["meetings"]))


def safety_inspection_share(spec, target, facts):
    return _share(facts["safety_inspected"], facts["institutions"], target)


def enforcement_checks(spec, target, facts):
    """The share of required check types (modes and topics) done at least their minimum."""
    kinds = spec.get("kinds", ("enforcement",))
    counts = {}
    for kind in kinds:
        for key, count in facts["checks"].get(kind, {}).items():
            counts[key] = counts.get(key, 0) + count
    minimums = spec.get("minimums") or {}
    if not minimums:  # nothing required is nothing measured (plans must name minimums)
        return Measured(None, False, {})
    met = [key for key, minimum in minimums.items() if counts.get(key, 0) >= minimum]
    value = len(met) / len(minimums)
    details = {key: counts.get(key, 0) for key in minimums}
    return Measured(value, value + EPSILON >= target, details)


def cases_exposed_ratio(spec, target, facts):
    """Find one, investigate one, publicise one: exposed cases over cases found."""
    found, exposed = facts["cases_found"], facts["cases_exposed"]
    minimum = max(spec.get("min_exposed", 1), 1)  # never done with nothing exposed
    if found:
        value = min(exposed, found) / found
    else:  # nothing found (yet): progress toward the minimum batch to expose
        value = min(exposed / minimum, 1.0)
    done = value + EPSILON >= target and exposed >= minimum
    return Measured(value, done, {"found": found, "exposed": exposed})


MEASURES = {f.__name__: f for f in (
    plan_filed, lists_published_and_filed, self_inspection_share, survey_share,
    meetings_share, safety_inspection_share, enforcement_checks, cases_exposed_ratio)}
