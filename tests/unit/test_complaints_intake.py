"""Intake building blocks: the rules file, photo checks, contact encryption, survey leads."""
from datetime import timedelta

import pytest
import yaml

from services.complaints import evidence, policies, rules, vault
from shared.errors import BadRequest
from support import tiny_png as png_bytes


def test_packaged_rules_give_every_category_deadlines_in_order():
    loaded = rules.load(rules.DEFAULT_FILE)
    safety = loaded.category("safety_hazard")
    assert safety.periods["acknowledge"] == timedelta(hours=2)
    assert safety.label == "消防与安全隐患"
    assert loaded.category("prepaid_fee").periods["answer"] == timedelta(days=15)


def test_district_override_changes_routing_only_there():
    document = yaml.safe_load(rules.DEFAULT_FILE.read_text(encoding="utf-8"))
    document["districts"] = {"371071": {"art_exam": {"lead": "education", "handling": []}}}
    parsed = rules.parse(document)
    assert parsed.category("art_exam", "371071").lead == "education"
    assert parsed.category("art_exam", "371071").periods == parsed.category("art_exam").periods
    assert parsed.category("art_exam", "371002").lead == "culture_tourism"


@pytest.mark.parametrize("change, message", [
    (lambda d: d["categories"]["other"]["deadlines"].update(verify="3x"), "not a duration"),
    (lambda d: d["categories"]["other"]["deadlines"].update(answer="1h"), "acknowledge ≤ verify ≤ answer"),
    (lambda d: d["categories"]["other"].update(lead="police"), "unknown department"),
    (lambda d: d["categories"].pop("other"), "missing ['other']"),
])
def test_broken_rules_file_is_refused_with_the_place_of_the_problem(change, message):
    document = yaml.safe_load(rules.DEFAULT_FILE.read_text(encoding="utf-8"))
    change(document)
    with pytest.raises(rules.RulesError, match=message.replace("[", r"\[").replace("]", r"\]")):
        rules.parse(document)


def test_email_without_category_is_guessed_from_keywords():
    loaded = rules.load(rules.DEFAULT_FILE)
    assert loaded.guess_category("机构跑路了，交的学费一直不给退费") == "prepaid_fee"
    assert loaded.guess_category("教室没有灭火器，安全出口被堵") == "safety_hazard"
    assert loaded.guess_category("你好") == "other"


def test_photo_is_recognised_by_its_bytes_not_its_name():
    [upload] = evidence.check([("photo.png", png_bytes())])
    assert upload.content_type == "image/png" and len(upload.sha256) == 64
    with pytest.raises(BadRequest) as refused:
        evidence.check([("photo.jpg", b"<html><script>alert(1)</script>")])
    assert "not an accepted type" in refused.value.fields["photos"][0]


def test_oversized_or_too_many_photos_are_refused():
    big = b"\xff\xd8\xff" + b"\0" * evidence.MAX_BYTES
    with pytest.raises(BadRequest, match="unacceptable photo"):
        evidence.check([("big.jpg", big)])
    with pytest.raises(BadRequest, match="too many"):
        evidence.check([("p.png", png_bytes())] * (evidence.MAX_FILES + 1))


def test_pdf_is_kept_only_where_documents_are_allowed():
    pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
    assert evidence.check([("a.pdf", pdf)], documents=True)[0].content_type == "application/pdf"
    with pytest.raises(BadRequest):
        evidence.check([("a.pdf", pdf)])


def test_same_photo_is_stored_once(tmp_path):
    [upload] = evidence.check([("a.png", png_bytes())])
    first = evidence.store(tmp_path, upload)
    assert evidence.store(tmp_path, upload) == first and first.read_bytes() == png_bytes()
    assert len(list(tmp_path.rglob("*.png"))) == 1


def test_contact_is_unreadable_without_the_key():
    keeper = vault.Keeper("secret-one")
    sealed = keeper.seal({"name": "李女士", "phone": "13912345678", "email": "li@example.com"})
    assert "13912345678" not in sealed and "li@example.com" not in sealed
    assert keeper.open(sealed)["phone"] == "13912345678"
    assert "error" in vault.Keeper("another-secret").open(sealed)
    assert keeper.seal({"name": "", "phone": None}) is None


def test_a_rotated_key_still_opens_what_the_previous_one_sealed_and_reseals_it():
    old = vault.Keeper("secret-one")
    sealed = old.seal({"phone": "13912345678"})
    rotated = vault.Keeper("secret-two", previous=["secret-one"])
    assert rotated.open(sealed) == {"phone": "13912345678"}
    resealed = rotated.reseal(sealed)
    assert vault.Keeper("secret-two").open(resealed) == {"phone": "13912345678"}
    assert "error" in old.open(resealed)
    assert rotated.code_hashes("ABCD-EFGH")[1] == old.code_hash("abcdefgh")


def test_tracking_codes_are_read_back_in_any_spelling():
    code = vault.new_code()
    assert len(code) == 12 and not set(code) & set("01ILO")
    assert vault.normalize_code(vault.display_code(code).lower()) == code


def test_school_survey_lead_keeps_only_the_count_and_is_stable():
    data = {"report_id": "r-7", "campaign_id": "w2024", "school_id": "s-3", "district": "371003",
            "institution_name": "星星学堂", "credit_code": "BAD", "address": None, "pupil_count": 4}
    lead = policies.survey_lead(data)
    assert lead["complaint_id"] == policies.survey_lead(data)["complaint_id"]
    assert lead["category"] == "unlicensed" and lead["credit_code"] is None
    assert "4名学生" in lead["description"] and lead["address"] == ""


def test_survey_lead_about_a_registered_institution_off_the_white_list_keeps_its_reason():
    data = {"report_id": "r-8", "campaign_id": "w2024", "school_id": "s-3", "district": "371003",
            "institution_name": "海星艺术培训学校", "institution_id": "i-1", "pupil_count": 2,
            "reason": "not_white_listed"}
    lead = policies.survey_lead(data)
    assert lead["category"] == "not_white_listed"
    assert "已登记但目前未列入白名单" in lead["description"]
    assert policies.survey_lead({**data, "reason": "not_registered"})["category"] == "unlicensed"


def test_only_inspections_of_a_complaint_verify_one():
    completed = {"inspection_id": "i-1", "source": "c-1", "source_type": "complaint",
                 "kind": "enforcement", "outcome": "violation_found"}
    assert policies.verification_outcome(completed) == policies.Verification(
        complaint_id="c-1", substantiated=True, inspection_id="i-1")
    assert policies.verification_outcome({**completed, "outcome": "no_violation"}).substantiated is False
    assert policies.verification_outcome({**completed, "source": None}) is None
    assert policies.verification_outcome({**completed, "kind": "self"}) is None
