"""Chain 3 end to end (issue 5): a web report with a photo ⇒ tracking code ⇒ assigned ⇒
verification requested ⇒ the inspection service checks on site ⇒ verified ⇒ the answer
is visible with the tracking code. complaints and inspection run as separate processes
on a real RabbitMQ and meet only through events."""
from support import eventually, tiny_png

DISTRICT = "371002"


def test_web_report_with_photo_is_verified_by_inspection_and_answered(cluster, token):
    cluster.start("inspection", "complaints")
    complaints, inspection = cluster.api("complaints"), cluster.api("inspection")
    handler = token("handler", "education", DISTRICT)
    inspector = token("inspector", "education", DISTRICT)

    created = complaints.post("/complaints", data={
        "district": DISTRICT, "category": "prepaid_fee", "institution_name": "启航学堂",
        "address": "环翠区文化中路88号", "description": "预收一年学费后停课，拒绝退费。"},
        files=[("photos", ("notice.png", tiny_png(), "image/png"))])
    assert created.status_code == 201, created.text
    code, complaint_id = created.json()["tracking_code"], created.json()["complaint_id"]
    assert complaints.get(f"/track/{code}").json()["status"] == "assigned"

    case = complaints.get(f"/complaints/{complaint_id}", handler).json()
    assert case["lead_department"] == "education" and len(case["photos"]) == 1
    requested = complaints.post(f"/complaints/{complaint_id}/verification-request", handler)
    assert requested.json()["status"] == "verifying"

    def scheduled():
        items = inspection.get(f"/inspections?source={complaint_id}", inspector).json()["items"]
        return items[0] if items else None
    check = eventually(scheduled, timeout=20)
    assert check["source"] == complaint_id and "unannounced" in check["modes"]
    finding = inspection.post(f"/inspections/{check['id']}/findings", inspector, json={
        "item": "enforcement.prepaid_fee", "severity": "major",
        "description": "预收费超过三个月，未使用资金监管账户"})
    assert finding.status_code == 201, finding.text
    present = [{"officer_id": "off-1", "certificate": "37100219001"},  # an enforcement check
               {"officer_id": "off-2", "certificate": "37100219002"}]
    completed = inspection.post(f"/inspections/{check['id']}/complete", inspector,
                                json={"officers": present})
    assert completed.status_code in (200, 201), completed.text

    eventually(lambda: complaints.get(f"/track/{code}").json()["status"] == "verified", timeout=20)
    verified = complaints.get(f"/complaints/{complaint_id}", handler).json()
    assert verified["substantiated"] is True and verified["inspection_id"] == check["id"]
    answered = complaints.post(f"/complaints/{complaint_id}/answer", handler,
                               json={"text": "经现场核查属实，已责令机构限期退费，并纳入资金监管。"})
    assert answered.status_code == 200, answered.text

    view = complaints.get(f"/track/{code}").json()
    assert view["status"] == "answered"
    assert view["answer"] == {"text": "经现场核查属实，已责令机构限期退费，并纳入资金监管。",
                              "answered_at": view["answer"]["answered_at"], "substantiated": True}
    assert "经现场核查属实" in complaints.get(f"/report/track?code={code}").text
