"""How the registry reacts to other services' events: pure decisions, which the
reactions (subscriptions.py) apply to the institution.

A hazard suspension ends finding by finding (chain 2). The findings that hold an
institution's suspension are the hazard that suspended it and every suspending
hazard found while it stays suspended; an inspection order names the findings it
rectifies (RectificationOrdered.finding_ids). The institution is reinstated only
when every holding finding is covered by a verified order: an order for other
findings (a minor one, a carry-over order that names none) or the first of two
orders changes nothing. A suspension by hand (no cause event; also one made over a
hazard suspension) is never lifted automatically, nor is one no finding is known to
hold (suspended before the registry kept them): an official reinstates it
(POST /institutions/{id}/reinstate)."""

from dataclasses import dataclass

SUSPENDING_SEVERITIES = ("major", "critical")
UNLICENSED = "operating without the required licences"


@dataclass(frozen=True)
class Suspend:
    """Suspend for the finding and open a black-list review (either may be in place
    already); the finding then holds the suspension caused by `holds`, or none when
    an official's suspension is in place (lifted by hand only)."""
    reason: str
    source_event_id: str
    holds: str | None


@dataclass(frozen=True)
class Reinstate:
    source_event_id: str


@dataclass(frozen=True)
class BlacklistAndStop:
    """Black-listed and ordered to stop: a suspension no rectification lifts."""
    reason: str
    source_event_id: str

    @property
    def stop_reason(self):
        return f"{self.reason}: ordered to stop"


def hazard_reason(data):
    return f"hazard found in inspection: {data.get('item', 'unspecified item')} ({data.get('severity')})"


def suspension_for_hazard(institution, data, source_event_id):
    """A major/critical hazard suspends at once and opens a black-list review (chain 1):
    Suspend, or None. (Its rectification comes after it in inspection's order.)"""
    if institution.status == "closed":
        return None
    if data.get("severity") not in SUSPENDING_SEVERITIES and not data.get("suspend_immediately"):
        return None
    # as Institution.suspend: an open institution is suspended for this finding
    holds = source_event_id if institution.status == "open" else institution.suspended_for
    return Suspend(hazard_reason(data), source_event_id, holds)


def reinstatement(institution, holding, rectified, source_event_id):
    """Reinstate once each finding holding its hazard suspension is rectified and
    verified; the review stays for the department (chain 2). Reinstate, or None.

    `holding` and `rectified` are sets of (inspection_id, finding_id)."""
    if (institution.status == "suspended" and institution.suspended_for
            and holding and holding <= rectified):
        return Reinstate(source_event_id)
    return None


def stop_for_unlicensed_operation(institution, source_event_id):
    """Operating without the required licences: black-listed and ordered to stop
    (chain 5), so that the registry says what the public case says. The stop is a
    suspension caused by the finding: no hazard rectification lifts it, an official
    does. BlacklistAndStop, or None for a closed institution."""
    if institution.status == "closed":
        return None
    return BlacklistAndStop(UNLICENSED, source_event_id)
