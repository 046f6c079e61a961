"""How the registry reacts to other services' events (pure decisions).

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

SUSPENDING_SEVERITIES = ("major", "critical")


def hazard_reason(data):
    return f"hazard found in inspection: {data.get('item', 'unspecified item')} ({data.get('severity')})"


def on_hazard_found(institution, data, source_event_id):
    """A major/critical hazard suspends at once and opens a black-list review (chain 1).
    (Its rectification comes after it in inspection's order.)

    Returns the suspension (its cause event id) the finding now holds, or None."""
    if institution.status == "closed":
        return None
    if data.get("severity") in SUSPENDING_SEVERITIES or data.get("suspend_immediately"):
        reason = hazard_reason(data)
        institution.suspend(reason, source_event_id)
        institution.open_review(reason, source_event_id)
        return institution.suspended_for
    return None


def on_rectification(institution, holding, rectified, source_event_id):
    """Reinstated once each finding holding its hazard suspension is rectified and
    verified; the review stays for the department (chain 2).

    `holding` and `rectified` are sets of (inspection_id, finding_id)."""
    if (institution.status == "suspended" and institution.suspended_for
            and holding and holding <= rectified):
        institution.reinstate(source_event_id)


UNLICENSED = "operating without the required licences"


def on_unlicensed_operation(institution, data, source_event_id):
    """Operating without the required licences: black-listed and ordered to stop
    (chain 5), so that the registry says what the public case says. The stop is a
    suspension caused by the finding: no hazard rectification lifts it, an official does."""
    if institution.status != "closed":
        institution.blacklist_for_unlicensed_operation(UNLICENSED, source_event_id)
        institution.suspend(f"{UNLICENSED}: ordered to stop", source_event_id)
