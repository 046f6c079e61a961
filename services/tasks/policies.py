"""How tasks reads other services' events (pure): which facts they are, when
they happened, and which of them count. Foreign events are read tolerantly by
the field names of ARCHITECTURE.md and the cross-service agreements."""
from datetime import datetime, timezone

from shared import violations
from shared.vocabulary import LOCAL_DISTRICTS

INSPECTION_KINDS = ("self", "safety", "enforcement")


def fact_time(attrs, now):
    """The event's own time (UTC, second precision) so facts sort and compare as
    text; the handling time when the event carries none."""
    text = (attrs or {}).get("time")
    try:
        instant = datetime.fromisoformat(text) if text else now
    except (TypeError, ValueError):
        instant = now
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=timezone.utc)
    return instant.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")


def inspection_row(data):
    """The facts of a completed inspection that tasks 3, 6 and 7 count; None when
    it is not an inspection kind tasks knows."""
    kind = data.get("kind")
    if kind not in INSPECTION_KINDS:
        return None
    return {"institution_id": data.get("institution_id"), "district": data["district"],
            "kind": kind, "modes": sorted(set(data.get("modes") or ())),
            "focus": sorted(set(data.get("focus") or ()))}


def case_key(name, data):
    """One case per inspection and institution: several hazards found in one
    visit are one case, as the registry suspends and disclosure exposes once.
    Other violations and substantiated complaints: see violation_case_key;
    a case a publisher published by hand is found and exposed at once."""
    if name == "CaseExposed":
        return f"by_hand:{data['case_id']}", "by_hand"
    other = violation_case_key(name, data)
    if other:
        return other
    who = data.get("institution_id") or data.get("name") or data.get("address") or "?"
    inspection = data.get("inspection_id") or data.get("finding_id") or "?"
    kind = "unlicensed" if name == "UnlicensedOperationFound" else "hazard"
    return f"{kind}:{inspection}:{who}", kind


def violation_case_key(name, data):
    """A finding of another kind or a substantiated complaint that is a case (task 8):
    the same rule disclosure publishes by (shared.violations)."""
    found = violations.case_key(name, data)
    return (f"{found[0]}:{data.get('institution_id') or '?'}", found[1]) if found else None


def concerns_districts(district):
    """Only the districts a campaign can measure (not the city as a whole)."""
    return district in LOCAL_DISTRICTS
