"""A reporter's contact: opened on request by a handler of the case's lead department
only, never inline in the case, and every opening recorded for the case's handlers."""
import pytest

from services.complaints.service import ComplaintsService
from shared import auth

REPORT = {"district": "371002", "category": "prepaid_fee",  # led by education, market_regulation helps
          "description": "交了一年学费，机构突然停课，不给退费。",
          "institution_name": "海星艺术培训学校", "address": "环翠区海滨路1号",
          "contact": {"name": "李女士", "phone": "13800138000"}}


@pytest.fixture
def complaints(start_service, monkeypatch, tmp_path):
    monkeypatch.setenv("OTG_DATA_DIR", str(tmp_path))
    return start_service(ComplaintsService)


@pytest.fixture
def complaint_id(complaints):
    created = complaints.post("/complaints", json=REPORT)
    assert created.status_code == 201, created.text
    return created.json()["complaint_id"]


def officer(role, department, district="371002", holder="officer-0042"):
    return auth.issue(role, department, district, subject=holder)


def test_lead_departments_handler_opens_the_contact_on_request_and_it_is_recorded(complaints, complaint_id):
    lead = officer("handler", "education")
    case = complaints.get(f"/complaints/{complaint_id}", lead).json()
    assert "13800138000" not in str(case) and "李女士" not in str(case)
    assert case["contact_viewings"] == []
    opened = complaints.get(case["contact_url"], lead)
    assert opened.status_code == 200, opened.text
    assert opened.json()["contact"] == {"name": "李女士", "phone": "13800138000"}
    helper = officer("handler", "market_regulation", holder="officer-0077")
    [viewing] = complaints.get(f"/complaints/{complaint_id}", helper).json()["contact_viewings"]
    assert viewing["viewer"] == "education/371002/handler" and viewing["holder"] == "officer-0042"
    assert viewing["viewed_at"] == opened.json()["viewed_at"]


@pytest.mark.parametrize("role, department, district", [
    ("handler", "market_regulation", "371002"),  # handles the case, does not lead it
    ("handler", "education", "371003"),          # the lead department of another district
    ("coordinator", "education", "371000"),
    ("admin", "education", "371000"),
    ("inspector", "education", "371002"),
])
def test_no_one_else_opens_the_contact_and_a_refusal_is_not_recorded(
        complaints, complaint_id, role, department, district):
    refused = complaints.get(f"/complaints/{complaint_id}/contact", officer(role, department, district))
    assert refused.status_code == 403, refused.text
    assert "13800138000" not in refused.text
    case = complaints.get(f"/complaints/{complaint_id}", officer("handler", "education")).json()
    assert case["contact_viewings"] == []
