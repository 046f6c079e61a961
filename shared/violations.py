"""Which substantiated violations become public cases ("find one, investigate one,
publicise one"): disclosure publishes them, tasks counts them for task 8, by one rule.

Fire/premises hazards (HazardFound) and unlicensed operation (UnlicensedOperationFound)
have their own chains; every other major or critical finding, and every substantiated
complaint about a registered institution, is a case of its kind too."""
CATEGORIES = ("disguised_academic", "prepaid_fee", "advertising", "art_exam", "other")
SEVERITIES = ("major", "critical")


def case_key(event_name, data):
    """(case key, kind) of a foreign event that is a case, or None: one case per
    inspection and finding category, one per complaint."""
    if event_name == "FindingRecorded":
        if data.get("severity") in SEVERITIES and data.get("category") in CATEGORIES:
            return f"violation:{data['inspection_id']}:{data['category']}", "violation"
    elif event_name == "ComplaintVerified":
        if data.get("substantiated") and data.get("institution_id"):
            return f"complaint:{data['complaint_id']}", "complaint"
    return None
