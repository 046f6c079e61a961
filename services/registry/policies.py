"""How the registry reacts to other services' events (pure decisions)."""

SUSPENDING_SEVERITIES = ("major", "critical")


def hazard_reason(data):
    return f"hazard found in inspection: {data.get('item', 'unspecified item')} ({data.get('severity')})"


def on_hazard_found(institution, data, source_event_id):
    """A major/critical hazard suspends at once and opens a black-list review (chain 1)."""
    if institution.status == "closed":
        return
    if data.get("severity") in SUSPENDING_SEVERITIES or data.get("suspend_immediately"):
        reason = hazard_reason(data)
        institution.suspend(reason, source_event_id)
        institution.open_review(reason, source_event_id)


def on_rectification_verified(institution, source_event_id):
    """Rectification verified: reinstated; the review stays for the department (chain 2)."""
    if institution.status == "suspended":
        institution.reinstate(source_event_id)


def on_unlicensed_operation(institution, data, source_event_id):
    """Operating without the required licences: black-listed (chain 5)."""
    if institution.status != "closed":
        institution.blacklist_for_unlicensed_operation(
            "operating without the required licences", source_event_id)
