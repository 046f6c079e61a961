"""Find one, investigate one, publicise one — for every kind of violation: a major finding
of any enforcement category, a substantiated complaint, and a case a publisher publishes."""
from services.disclosure.service import DisclosureService
from services.registry.service import RegistryService
from support import caught_up, eventually, handled, publish_event

from test_disclosure_chain import no_inspection  # noqa: F401 (autouse)
from test_disclosure_site import registered


def scheduled(amqp_uri, institution_id, inspection_id="insp-7"):
    publish_event(amqp_uri, "inspection", "InspectionScheduled", {
        "inspection_id": inspection_id, "institution_id": institution_id, "district": "371002",
        "kind": "enforcement", "modes": ["unannounced"], "departments": ["market_regulation"]})


def finding(institution_id, **extra):
    return {"inspection_id": "insp-7", "finding_id": "f-7", "institution_id": institution_id,
            "district": "371002", "item": "fee.over_three_months", "checklist": "enforcement@1",
            "category": "prepaid_fee", "severity": "major", "department": "market_regulation",
            **extra}


def test_major_prepaid_fee_finding_becomes_a_case_of_its_kind_once(start_service, amqp_uri, token):
    registry, site = start_service(RegistryService), start_service(DisclosureService)
    institution_id = registered(registry, token)
    caught_up(site, registry)
    publish_event(amqp_uri, "inspection", "FindingRecorded", finding(institution_id))
    publish_event(amqp_uri, "inspection", "FindingRecorded", finding(  # one queue: handled
        institution_id, finding_id="f-9", category="advertising", severity="minor"))  # before f-8
    others = [publish_event(amqp_uri, "inspection", "FindingRecorded",
                            finding(institution_id, finding_id="f-8"))]
    scheduled(amqp_uri, institution_id)  # the case waited for its inspection

    case = eventually(lambda: site.get("/api/cases?kind=violation").json()["items"])[0]
    assert case["institution_name"] == "海星艺术培训学校" and case["finding"]["category"] == "prepaid_fee"
    assert case["decision"]["action"] == "ordered_to_rectify"
    page = site.get(f"/cases/{case['case_id']}").text
    assert "市场监管部门检查发现较大预收费问题" in page and "责令限期整改" in page
    others.append(publish_event(amqp_uri, "complaints", "ComplaintVerified", {
        "complaint_id": "c-7", "district": "371002", "category": "prepaid_fee",
        "institution_id": institution_id, "substantiated": True, "inspection_id": "insp-7"}))
    handled(site, *others)
    # the second finding, the minor one and the report this check verified: no other case
    assert site.get("/api/cases").json()["total"] == 1


def test_substantiated_complaint_becomes_a_case_and_an_unfounded_one_does_not(start_service, amqp_uri, token):
    registry, site = start_service(RegistryService), start_service(DisclosureService)
    institution_id = registered(registry, token)
    verified = {"complaint_id": "c-1", "district": "371002", "category": "prepaid_fee",
                "institution_id": institution_id, "substantiated": True, "inspection_id": None}
    publish_event(amqp_uri, "complaints", "ComplaintVerified", {**verified, "complaint_id": "c-0",
                                                                "substantiated": False})
    publish_event(amqp_uri, "complaints", "ComplaintVerified", verified)

    case = eventually(lambda: site.get("/api/cases").json()["items"])[0]
    assert case["kind"] == "complaint" and case["institution_id"] == institution_id
    page = site.get(f"/cases/{case['case_id']}").text
    assert "群众举报的预收费问题，经主管部门核查属实" in page
    assert site.get("/api/cases").json()["total"] == 1


def test_publisher_publishes_a_case_by_hand_that_names_no_person(start_service, token):
    registry, site = start_service(RegistryService), start_service(DisclosureService)
    institution_id = registered(registry, token)
    caught_up(site, registry)
    publisher = token("publisher", "market_regulation", "371002")
    body = {"district": "371002", "institution_id": institution_id, "category": "advertising",
            "summary": "在公交站发布“保过”广告，负责人手机13953100196", "decision": "责令撤除广告，罚款五千元"}

    answer = site.post("/api/cases", publisher, json=body)
    assert answer.status_code == 201, answer.text
    case = answer.json()
    assert case["institution_name"] == "海星艺术培训学校" and case["kind"] == "violation"
    page = site.get(f"/cases/{case['case_id']}").text
    assert "保过" in page and "责令撤除广告，罚款五千元" in page and "13953100196" not in page

    other = token("publisher", "market_regulation", "371003")
    assert site.post("/api/cases", other, json=body).status_code == 403
    assert site.post("/api/cases", token("handler", "education", "371002"), json=body).status_code == 403
    bad = site.post("/api/cases", publisher, json={**body, "institution_id": "nobody",
                                                   "category": "rumour"})
    assert bad.status_code == 400 and "category" in bad.json()["fields"]
    unknown = site.post("/api/cases", publisher, json={**body, "institution_id": "nobody"})
    assert unknown.status_code == 400 and "institution_id" in unknown.json()["fields"]
    assert site.get("/api/cases").json()["total"] == 1
