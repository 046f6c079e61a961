"""Which foreign events make a public case, and what the case says (pure decisions).

A case is built only from codes, dates and business data (the institution's name,
credit code, address): free text such as descriptions, remarks or reporter
details is never copied, and the few free texts that are (an official's reason,
a checklist item) go through `redact`."""
from typing import NamedTuple

from .domain import Case, business_text, redact


class Expose(NamedTuple):
    """A case to publish (Case.expose), once: a second route to it changes nothing."""
    case_id: str
    kind: str
    facts: dict
    found_at: str


class Outcome(NamedTuple):
    """What became of a case's institution since (Case.record_outcome)."""
    outcome: str
    at: str
    department: str | None
    reason: str | None


def _institution_facts(institution, institution_id, district, name="", address=""):
    known = institution or {}
    return {
        "institution_id": institution_id,
        "district": known.get("district") or district,
        # masked again: events stored before the sender masked them still hold numbers
        "institution_name": business_text(known.get("name") or name or ""),
        "credit_code": known.get("credit_code") or None,
        "address": business_text(known.get("address") or address or ""),
        "category": known.get("category") or None,
    }


def _finding(hazard, inspection):
    finding = {"category": hazard.get("category"), "severity": hazard.get("severity"),
               "item": redact(hazard.get("item")), "item_title": redact(hazard.get("item_title")),
               "department": hazard.get("department"),
               "inspection_id": hazard.get("inspection_id"),
               "description": redact(hazard.get("description"))}
    if inspection:
        finding.update(inspection_kind=inspection.get("kind"), modes=inspection.get("modes"),
                       departments=inspection.get("departments"))
    return finding


def hazard_case(hazard, suspension, institution, inspection):
    """A hazard that led to a suspension is a case (chain 1); None until both are
    known. Only these two come from different sources: the registration comes before
    the suspension in the registry's order, the inspection before its hazard in
    inspection's (docs/decisions/0008), so neither is waited for.

    Returns Expose, or None."""
    if not hazard or not suspension:
        return None
    facts = _institution_facts(institution, suspension["institution_id"],
                               suspension.get("district") or hazard.get("district"))
    facts["finding"] = _finding(hazard, inspection)
    facts["decision"] = {"action": "suspended", "at": suspension.get("suspended_at"),
                         "department": (institution or {}).get("supervising_department")}
    facts["source_event_id"] = hazard["event_id"]
    return Expose(Case.id_for(hazard["event_id"]), "hazard_suspension", facts,
                  hazard.get("found_at"))


def review_root(data, review, decision_event_id):
    """The event a black-list review goes back to (a hazard, an unlicensed finding), as
    its opening (before the decision in the registry's order) names it; or the decision."""
    return (review or {}).get("source_event_id") or decision_event_id


def blacklist_case(data, inbound, review, institution, hazard, inspection):
    """A review that ended in black-listing, with no case yet for what started it, as
    Expose (the institution's registration came before it in the registry's order)."""
    if data.get("decision") != "blacklisted":
        return None
    root = review_root(data, review, inbound["id"])
    facts = _institution_facts(institution, data["institution_id"], data.get("district"))
    # the review's opening reason is internal working text: only the decision goes public
    facts["finding"] = _finding(hazard, inspection) if hazard else {}
    facts["decision"] = {"action": "blacklisted", "at": inbound.get("time"),
                         "department": data.get("department"), "reason": redact(data.get("reason"))}
    facts["source_event_id"] = root
    found_at = (hazard or {}).get("found_at") or (review or {}).get("opened_at") or inbound.get("time")
    return Expose(Case.id_for(root), "blacklisted", facts, found_at)


def outcomes_before(kind, institution, decided_reviews):
    """Outcomes whose events came before the case could be published (they found no
    case then), as [Outcome]. The mirrored status moves only forward, so an open
    institution with a hazard suspension was reinstated since."""
    outcomes = [Outcome("blacklisted", r["decided_at"], r["department"], r["decision_reason"])
                for r in decided_reviews if r["decision"] == "blacklisted" and kind != "blacklisted"]
    status = (institution or {}).get("status")
    if status == "closed":
        outcomes.append(Outcome("closed", institution.get("status_since"), None, None))
    elif status == "open" and kind == "hazard_suspension":
        outcomes.append(Outcome("reinstated", institution.get("status_since"), None, None))
    return outcomes


def unlicensed_case(data, inbound, institution, inspection):
    """Operating without the required licences is always a case (chain 5), also for a
    site the registry does not know; None until, for a registered institution, its
    registration is known (another source; the inspection came before its finding)."""
    if data.get("institution_id") and not (institution or {}).get("name"):
        return None
    facts = _institution_facts(institution, data.get("institution_id"), data.get("district"),
                               name=data.get("name"), address=data.get("address"))
    facts["finding"] = {"category": "unlicensed", "inspection_id": data.get("inspection_id"),
                        "department": data.get("department")}
    if inspection:
        facts["finding"].update(inspection_kind=inspection.get("kind"),
                                modes=inspection.get("modes"),
                                departments=inspection.get("departments"))
    facts["decision"] = {"action": "ordered_to_stop", "at": inbound.get("time")}
    facts["source_event_id"] = inbound["id"]
    return Expose(Case.id_for(inbound["id"]), "unlicensed", facts, inbound.get("time"))


def violation_case(case_key, kind, data, inbound, institution, inspection):
    """A finding or a substantiated complaint about a registered institution, as a case;
    None until the institution's registration (another source) is known. The
    measure: the institution is ordered to rectify (inspection's order follows)."""
    if not (institution or {}).get("name"):
        return None
    facts = _institution_facts(institution, data["institution_id"], data.get("district"))
    if kind == "violation":
        facts["finding"] = _finding(data, inspection)
    else:
        facts["finding"] = {"category": data.get("category"), "complaint": True,
                            "inspection_id": data.get("inspection_id")}
    facts["decision"] = {"action": "ordered_to_rectify", "at": inbound.get("time"),
                         "department": data.get("department")
                         or (institution or {}).get("supervising_department")}
    facts["source_event_id"] = inbound["id"]
    return Expose(Case.id_for(case_key), kind, facts, inbound.get("time"))


def by_hand_case(case_id, body, institution, department, now):
    """A case a publisher publishes: their texts, redacted, with the registry's data of a
    registered institution. Returns (facts, found_at)."""
    facts = _institution_facts(institution, body.get("institution_id"), body["district"],
                               name=body.get("institution_name"), address=body.get("address"))
    facts["finding"] = {"category": body["category"], "description": redact(body["summary"]),
                        "department": department}
    facts["decision"] = {"action": "by_hand", "text": redact(body["decision"]),
                         "department": department, "at": now, "by_hand": True}
    facts["source_event_id"] = f"by_hand:{case_id}"
    found_on = body.get("found_on")
    return facts, f"{found_on.isoformat()}T00:00:00+08:00" if found_on else now


def district_named_notice(data):
    """tasks' DistrictNamed becomes a public notice naming the district."""
    reasons = data.get("reasons") or []
    if isinstance(reasons, str):
        reasons = [reasons]
    return {"district": data["district"], "kind": "district_named", "reasons": reasons,
            "named_on": data.get("named_on"), "campaign_id": data.get("campaign_id")}
