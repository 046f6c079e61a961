"""Which substantiated violations become public cases ("find one, investigate one,
publicise one"): disclosure publishes them, tasks counts them for task 8, by one rule.

Fire/premises hazards (HazardFound) and unlicensed operation (UnlicensedOperationFound)
have their own chains; every other major or critical finding, and every substantiated
complaint about a registered institution, is a case of its kind too. A complaint
substantiated by an inspection shares the case of that inspection's finding of its
category (one key: whichever event comes first publishes it), and one about a hazard or
unlicensed operation is publicised by that chain; only a complaint its handler verified
without an inspection is a case of its own."""
CATEGORIES = ("disguised_academic", "prepaid_fee", "advertising", "art_exam", "other")
SEVERITIES = ("major", "critical")


def case_key(event_name, data):
    """(case key, kind) of a foreign event that is a case, or None: one case per
    inspection and finding category, one per complaint verified without an inspection."""
    if event_name == "FindingRecorded":
        if data.get("severity") in SEVERITIES and data.get("category") in CATEGORIES:
            return _visit(data["inspection_id"], data["category"]), "violation"
    elif event_name == "ComplaintVerified":
        if not (data.get("substantiated") and data.get("institution_id")):
            return None
        if not data.get("inspection_id"):
            return f"complaint:{data['complaint_id']}", "complaint"
        if data.get("category") in CATEGORIES:
            return _visit(data["inspection_id"], data["category"]), "complaint"
    return None


def _visit(inspection_id, category):
    return f"violation:{inspection_id}:{category}"
