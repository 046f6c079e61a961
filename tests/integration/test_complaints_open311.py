"""Open311 GeoReport v2 as integrators' tools meet it: the `georeport` client library
(JSON and XML), and raw XML read with the standard library's parser."""
import xml.etree.ElementTree as ET

import pytest
from georeport import GeoReport

from services.complaints.service import ComplaintsService

REPORT = {"jurisdiction_id": "371002", "service_code": "prepaid_fee", "api_key": "ignored",
          "description": "预收一年学费后停课，拒绝退费。", "address_string": "环翠区文化中路",
          "attribute[institution_name]": "启航学堂", "attribute[institution_address]": "文化中路88号",
          "media_url": "https://photos.example.org/notice.jpg", "email": "parent@example.com"}


@pytest.fixture
def complaints(start_service, monkeypatch, tmp_path):
    monkeypatch.setenv("OTG_DATA_DIR", str(tmp_path))
    return start_service(ComplaintsService)


def client(complaints, output_format):
    return GeoReport(f"{complaints.base}/open311/v2", jurisdiction="371002",
                     output_format=output_format)


def xml_of(response):
    assert response.headers["Content-Type"].startswith("text/xml"), response.headers
    return ET.fromstring(response.content)


@pytest.mark.parametrize("output_format", ["json", "xml"])
def test_client_library_lists_services_reads_definitions_and_follows_a_request(complaints, output_format):
    georeport = client(complaints, output_format)
    services = {s["service_code"]: s for s in georeport.get_service_list()}
    assert set(services) >= {"unlicensed", "prepaid_fee", "safety_hazard", "other"}
    assert str(services["unlicensed"]["metadata"]).lower() == "true"
    assert str(services["other"]["metadata"]).lower() == "false"
    definition = georeport.get_service_definition("unlicensed")
    attributes = definition["attributes"]
    attributes = attributes["attribute"] if output_format == "xml" else attributes
    required = {a["code"] for a in attributes if str(a["required"]).lower() == "true"}
    assert required == {"institution_name", "institution_address"}
    assert "school_name" in {a["code"] for a in attributes}

    posted = complaints.post(f"/open311/v2/requests.{output_format}", data=REPORT)
    assert posted.status_code == 201, posted.text
    request_id = (posted.json()[0]["service_request_id"] if output_format == "json"
                  else xml_of(posted).findtext("request/service_request_id"))
    read = georeport.get_service_request(request_id)
    assert read["service_request_id"] == request_id and read["status"] == "open"
    assert read["agency_responsible"] == "education" and read["service_code"] == "prepaid_fee"
    listed = georeport.get_service_requests(service_code="prepaid_fee", status="open")
    listed = [listed] if isinstance(listed, dict) else listed
    assert [r["service_request_id"] for r in listed] == [request_id]
    assert "启航学堂" not in str(listed) and "parent@example.com" not in str(listed)


def test_xml_answers_are_shaped_as_the_specification_examples(complaints):
    services = xml_of(complaints.get("/open311/v2/services.xml"))
    assert services.tag == "services"
    first = services.find("service")
    assert [child.tag for child in first] == ["service_code", "service_name", "description",
                                              "metadata", "type", "keywords", "group"]
    definition = xml_of(complaints.get("/open311/v2/services/safety_hazard.xml"))
    assert definition.tag == "service_definition"
    assert definition.findtext("service_code") == "safety_hazard"
    codes = [a.findtext("code") for a in definition.findall("attributes/attribute")]
    assert codes[:2] == ["institution_name", "institution_address"]
    assert definition.find("attributes/attribute/datatype").text == "string"

    created = xml_of(complaints.post("/open311/v2/requests.xml", data=REPORT))
    assert created.tag == "service_requests"
    request_id = created.findtext("request/service_request_id")
    assert created.find("request/account_id") is not None and created.findtext("request/service_notice")
    one = xml_of(complaints.get(f"/open311/v2/requests/{request_id}.xml"))
    assert one.findtext("request/status") == "open" and one.findtext("request/jurisdiction_id") == "371002"
    assert one.find("request/description").text is None  # progress only

    discovery = xml_of(complaints.get("/open311/discovery.xml"))
    endpoint = discovery.find("endpoints/endpoint")
    assert endpoint.findtext("url") == f"{complaints.base}/open311/v2"
    assert [f.text for f in endpoint.findall("formats/format")] == ["text/xml", "application/json"]
    assert complaints.get("/open311/discovery.json").json()["endpoints"][0]["type"] == "production"


def test_attributes_reach_the_case_and_missing_ones_are_refused_in_both_formats(complaints, token):
    missing = dict(REPORT, service_code="unlicensed")
    del missing["attribute[institution_address]"]
    refused_json = complaints.post("/open311/v2/requests.json", data=missing)
    [error] = refused_json.json()
    assert refused_json.status_code == 400 and "attribute[institution_address]" in error["description"]
    refused_xml = complaints.post("/open311/v2/requests.xml", data={**missing, "attribute[colour]": "red"})
    errors = xml_of(refused_xml)
    assert refused_xml.status_code == 400 and errors.tag == "errors"
    assert errors.findtext("error/code") == "400" and "attribute[colour]" in errors.findtext("error/description")
    assert complaints.get("/complaints", token("coordinator", "education", "371000")).json()["total"] == 0

    posted = complaints.post("/open311/v2/requests.json",
                             data={**missing, "attribute[institution_address]": "环翠区海滨路9号",
                                   "attribute[school_name]": "环翠区实验小学"})
    request_id = posted.json()[0]["service_request_id"]
    case = complaints.get(f"/complaints/{request_id}", token("handler", "education", "371002")).json()
    assert case["channel"] == "open311" and case["institution_name"] == "启航学堂"
    assert case["address"] == "环翠区海滨路9号"
    assert case["details"]["school_name"] == "环翠区实验小学"
    assert case["details"]["media_url"] == REPORT["media_url"]


def test_unknown_things_answer_404_in_the_format_asked(complaints):
    missing = complaints.get("/open311/v2/requests/nope.xml")
    assert missing.status_code == 404 and xml_of(missing).findtext("error/code") == "404"
    unknown_service = complaints.get("/open311/v2/services/potholes.json")
    assert unknown_service.status_code == 404 and unknown_service.json()[0]["code"] == 404
    assert complaints.get("/open311/v2/services.yaml").status_code == 404


def test_openapi_document_offers_both_formats_of_every_open311_call(complaints):
    paths = complaints.get("/openapi.json").json()["paths"]
    calls = [(path, operation) for path, item in paths.items() if path.startswith("/open311/")
             for operation in item.values()]
    assert len(calls) == 6
    for path, operation in calls:
        [fmt] = [p for p in operation["parameters"] if p.get("name") == "fmt"]
        assert path.endswith(".{fmt}") and fmt["schema"]["enum"] == ["json", "xml"]
