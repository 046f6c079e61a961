"""How inspection reacts to other services' events (pure decisions)."""
from shared.errors import BadRequest
from shared.vocabulary import DEPARTMENTS

LEAD = "education"
# complaint category -> (kind of check, topics checked)
CHECKS = {
    "unlicensed": ("enforcement", ["unlicensed"]),
    "disguised_academic": ("enforcement", ["disguised_academic"]),
    "prepaid_fee": ("enforcement", ["prepaid_fee"]),
    "advertising": ("enforcement", ["advertising"]),
    "art_exam": ("enforcement", ["art_exam"]),
    "safety_hazard": ("safety", ["fire_safety", "premises"]),
}


def verification_check(data, known_site=None):
    """The check that verifies a complaint (chain 3): unannounced, by the lead
    department and those it asked to join (then a joint check), by day or at night as
    asked, at the registered institution or at the named site.
    `known_site` is the directory entry when the institution is known here."""
    kind, focus = CHECKS.get(data.get("category"), ("enforcement", []))
    lead = data.get("lead_department")
    departments = [d for d in data.get("check_departments") or [lead] if d in DEPARTMENTS] or [LEAD]
    modes = ["unannounced", *(m for m in data.get("modes") or () if m in ("day", "night", "joint"))]
    if len(departments) > 1:
        modes.append("joint")
    elif "joint" in modes:  # a joint check needs a second department (older events)
        modes.remove("joint")
    site = known_site or {}
    return {
        "kind": kind, "focus": focus, "modes": list(dict.fromkeys(modes)),
        "departments": departments,
        "district": site.get("district") or data.get("district"),
        "institution_id": data.get("institution_id") or None,
        "site_name": site.get("name") or data.get("institution_name") or "unnamed site",
        "site_address": site.get("address") or data.get("address"),
        "source": data["complaint_id"], "source_type": "complaint",
    }


def site(institution_id, entry, body):
    """Where a check happens: a registered institution (its directory `entry`, mirrored
    from the registry) or, without an institution_id, a site named in `body`."""
    if institution_id is None:
        if not body.get("district"):
            raise BadRequest("an unregistered site needs its district",
                             {"district": ["required when there is no institution_id"]})
        return {"institution_id": None, "district": body["district"],
                "site_name": body.get("site_name"), "site_address": body.get("site_address")}
    if entry is None:
        raise BadRequest("unknown institution", {"institution_id": [
            f"{institution_id} is not (yet) in the registry's directory"]})
    if body.get("district") not in (None, entry["district"]):
        raise BadRequest("wrong district", {"district": [
            f"institution {institution_id} is in district {entry['district']}"]})
    return {"institution_id": entry["id"], "district": entry["district"],
            "site_name": entry["name"], "site_address": entry["address"]}
