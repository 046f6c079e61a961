"""Named officers across running services: the events of an officer's command name the
officer's id; what other services do in reaction names the cause, not the officer."""
from shared import auth
from support import eventually
from test_inspection_chains import DISTRICT, feed, register

OFFICER = "8b0e54d1-7c2a-4f3e-a1d9-2c6b5e0f9a47"


def test_hazard_recorded_by_a_named_officer_names_them_and_the_suspension_names_its_cause(
        cluster, token):
    cluster.start("registry", "inspection")
    registry, inspection = cluster.api("registry"), cluster.api("inspection")
    [school] = register(registry, token, 1)
    officer = auth.issue("inspector", "fire", DISTRICT, officer=OFFICER)

    def scheduled():
        created = inspection.post("/inspections", officer, json={
            "institution_id": school, "kind": "safety", "departments": ["fire"]})
        return created.json()["id"] if created.status_code == 201 else None
    inspection_id = eventually(scheduled, timeout=20)
    found = inspection.post(f"/inspections/{inspection_id}/findings", officer, json={
        "item": "fire.evacuation", "severity": "critical", "description": "安全出口被锁闭"})
    assert found.status_code == 201, found.text

    [hazard] = feed(inspection, "HazardFound")
    assert hazard["officer"] == OFFICER and hazard["actor"] == "fire/371002/inspector"
    [suspended] = eventually(lambda: feed(registry, "InstitutionSuspended"), timeout=20)
    assert suspended["causationid"] == hazard["id"]
    assert "officer" not in suspended and suspended["actor"] == "registry/policy"
    assert "officer" not in feed(registry, "InstitutionRegistered")[0]  # a token without one
