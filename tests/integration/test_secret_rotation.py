"""Rotating OTG_CONTACT_KEY and OTG_JWT_SECRET on a running complaints service, the way
deploy/OPERATIONS.md tells an operator to: nothing stored becomes unreadable, no
supervisor loses their code, and tokens signed with the old secret work until it goes."""
from click.testing import CliRunner

from services.complaints.service import ComplaintsService
from otg.cli import main

REPORT = {"district": "371002", "category": "prepaid_fee", "description": "机构停课，不给退费。",
          "institution_name": "海星艺术培训学校", "contact": {"phone": "13800138000"}}


def test_contact_key_and_jwt_secret_are_rotated_without_losing_a_contact(
        start_service, token, tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'complaints-rotation.db'}"
    monkeypatch.setenv("OTG_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("COMPLAINTS_DATABASE_URL", url)
    monkeypatch.setenv("OTG_CONTACT_KEY", "contact-key-of-2024-at-least-32-bytes")
    monkeypatch.setenv("OTG_JWT_SECRET", "jwt-secret-of-2024-at-least-32-bytes")
    api = start_service(ComplaintsService, database_url=url)
    old_handler = token("handler", "education", "371002")
    complaint_id = api.post("/complaints", json=REPORT).json()["complaint_id"]
    code = api.post("/supervisors", old_handler, json={
        "district": "371002", "name": "王监督员", "phone": "13700001111"}).json()["code"]
    api.container.stop()

    # 1. the new secrets, the old ones listed as previous; restart
    monkeypatch.setenv("OTG_CONTACT_KEY", "contact-key-of-2025-at-least-32-bytes")
    monkeypatch.setenv("OTG_CONTACT_KEY_PREVIOUS", "contact-key-of-2024-at-least-32-bytes")
    monkeypatch.setenv("OTG_JWT_SECRET", "jwt-secret-of-2025-at-least-32-bytes")
    monkeypatch.setenv("OTG_JWT_SECRET_PREVIOUS", "jwt-secret-of-2024-at-least-32-bytes")
    api = start_service(ComplaintsService, database_url=url)
    assert api.get(f"/complaints/{complaint_id}/contact", old_handler).json()["contact"] == {"phone": "13800138000"}
    # 2. reseal what is stored; the supervisor's code moves when next used
    resealed = CliRunner().invoke(main, ["complaints", "reseal"])
    assert resealed.exit_code == 0, resealed.output
    # the report's description and contact, the supervisor's contact
    assert "3 text(s) sealed with the current key" in resealed.output
    supervised = api.post("/complaints", json={**REPORT, "supervisor_code": code})
    assert supervised.status_code == 201, supervised.text
    api.container.stop()

    # 3. the old secrets gone
    monkeypatch.delenv("OTG_CONTACT_KEY_PREVIOUS")
    monkeypatch.delenv("OTG_JWT_SECRET_PREVIOUS")
    api = start_service(ComplaintsService, database_url=url)
    assert api.get(f"/complaints/{complaint_id}", old_handler).status_code == 401
    handler = token("handler", "education", "371002")
    case = api.get(f"/complaints/{complaint_id}", handler).json()
    assert api.get(case["contact_url"], handler).json()["contact"] == {"phone": "13800138000"}
    assert case["description"] == REPORT["description"]
    supervisors = api.get("/supervisors", handler).json()["items"]
    assert supervisors[0]["contact"]["phone"] == "13700001111"
    assert api.post("/complaints", json={**REPORT, "supervisor_code": code}).status_code == 201


def test_reseal_without_a_complaints_database_is_a_usage_error(tmp_path, monkeypatch):
    monkeypatch.setenv("COMPLAINTS_DATABASE_URL", f"sqlite:///{tmp_path / 'none.db'}")
    monkeypatch.setenv("OTG_CONTACT_KEY", "k" * 32)
    result = CliRunner().invoke(main, ["complaints", "reseal"])
    assert result.exit_code == 2 and "no case files" in result.output
