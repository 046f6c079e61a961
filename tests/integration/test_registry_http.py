"""The registry's HTTP API as a registrar, a department and an outsider meet it."""
from services.registry.service import RegistryService
from shared.creditcode import complete
from support import eventually


def institution(credit="91371002MA3C00001", district="371002", **extra):
    body = {"name": "海星艺术培训学校", "credit_code": complete(credit), "district": district,
            "category": "arts", "address": "环翠区海滨路1号",
            "licences": [{"kind": "school_permit", "number": "教民137100270001", "valid_until": "2030-12-31"},
                         {"kind": "business_licence", "number": "BL-1", "valid_until": "2030-12-31"}]}
    body.update(extra)
    return body


def test_registered_institution_is_on_the_white_list(start_service, token):
    api = start_service(RegistryService)
    registrar = token()
    created = api.post("/institutions", registrar, json=institution())
    assert created.status_code == 201, created.text
    assert created.json()["list_status"] == "white"
    white = api.get("/lists/white?district=371002", registrar).json()
    assert [i["id"] for i in white["institutions"]] == [created.json()["id"]]


def test_bad_input_answers_400_with_field_errors_and_stores_nothing(start_service, token):
    api = start_service(RegistryService)
    bad = institution(district="999999", category="cooking")
    bad["credit_code"] = "91371002MA3C000010"
    bad["licences"][0]["valid_until"] = "someday"
    response = api.post("/institutions", token(), json=bad)
    assert response.status_code == 400
    fields = response.json()["fields"]
    assert {"district", "category", "credit_code", "licences"} <= set(fields)
    assert "valid_until" in fields["licences"]["0"]
    assert api.get("/health").json()["events"] == 0
    assert api.post("/institutions", token(), data=b"{not json",
                    headers={"Content-Type": "application/json"}).status_code == 400


def test_district_official_acts_only_in_their_district(start_service, token):
    api = start_service(RegistryService)
    wendeng = token(district="371003")
    assert api.post("/institutions", wendeng, json=institution()).status_code == 403
    created = api.post("/institutions", token(), json=institution()).json()
    response = api.post(f"/institutions/{created['id']}/close", wendeng, json={"reason": "closed down"})
    assert response.status_code == 403
    city = token(role="coordinator", district="371000")
    assert api.post(f"/institutions/{created['id']}/close", city,
                    json={"reason": "ceased trading"}).json()["status"] == "closed"


def test_credentials_are_required_and_checked(start_service, token):
    api = start_service(RegistryService)
    assert api.post("/institutions", json=institution()).status_code == 401
    assert api.post("/institutions", "forged.token.value", json=institution()).status_code == 401
    inspector = token(role="inspector")
    assert api.post("/institutions", inspector, json=institution()).status_code == 403
    assert api.get("/institutions?district=371002").status_code == 401
    assert api.get("/institutions?district=371002", inspector).status_code == 200


def test_unknown_ids_and_duplicates(start_service, token):
    api = start_service(RegistryService)
    registrar = token()
    assert api.get("/institutions/nope", registrar).status_code == 404
    assert api.post("/institutions", registrar, json=institution()).status_code == 201
    duplicate = api.post("/institutions", registrar, json=institution(name="另一个名字"))
    assert duplicate.status_code == 409
    assert api.get("/lists/grey?district=371002", registrar).status_code == 404


def test_review_is_decided_by_the_supervising_department_and_blacklists(start_service, token):
    api = start_service(RegistryService)
    registrar = token()
    created = api.post("/institutions", registrar, json=institution()).json()
    path = f"/institutions/{created['id']}"
    decision = {"decision": "blacklisted", "reason": "拒不整改"}
    not_yours = api.post(f"{path}/review/decision", registrar, json=decision)  # no review yet either
    assert not_yours.status_code == 403 and "culture_tourism" in not_yours.json()["error"]
    opened = api.post(f"{path}/review", registrar, json={"reason": "多次投诉"}).json()
    assert opened["review"]["reason"] == "多次投诉" and opened["list_status"] == "none"
    decision = {"decision": "blacklisted", "reason": "拒不整改"}
    assert api.post(f"{path}/review/decision", registrar, json=decision).status_code == 403
    arts = token(department="culture_tourism")
    decided = api.post(f"{path}/review/decision", arts, json=decision).json()
    assert decided["list_status"] == "black" and decided["review"] is None
    black = api.get("/lists/black?district=371002", registrar).json()["institutions"]
    assert black[0]["blacklist_entry"]["reason"] == "拒不整改"


def test_list_batches_are_published_numbered_and_filed(start_service, token):
    api = start_service(RegistryService)
    registrar = token()
    member = api.post("/institutions", registrar, json=institution()).json()
    first = api.post("/lists/white/batches", registrar, json={"district": "371002"})
    assert first.status_code == 201
    assert (first.json()["batch_no"], first.json()["institution_ids"]) == (1, [member["id"]])
    assert api.post("/lists/white/batches", registrar, json={"district": "371002"}).json()["batch_no"] == 2
    filed = api.post("/lists/white/batches/1/file", registrar, json={"district": "371002"})
    assert filed.json()["filed"] is True
    assert api.post("/lists/white/batches/1/file", registrar, json={"district": "371002"}).status_code == 409
    names = [e["type"] for e in api.get("/events").json()]
    assert names.count("otg.registry.ListBatchPublished.v1") == 2
    assert names.count("otg.registry.ListFiled.v1") == 1


def test_expired_licence_is_flagged_and_leaves_the_white_list(start_service, token, tmp_path, monkeypatch):
    clock = tmp_path / "clock"
    clock.write_text("2029-06-01T09:00:00+08:00")
    monkeypatch.setenv("OTG_CLOCK_FILE", str(clock))
    api = start_service(RegistryService)
    registrar = token()
    body = institution()
    body["licences"][1]["valid_until"] = "2029-12-31"
    created = api.post("/institutions", registrar, json=body).json()
    assert created["list_status"] == "white"
    clock.write_text("2030-01-02T09:00:00+08:00")
    assert api.get(f"/institutions/{created['id']}", registrar).json()["list_status"] == "none"
    api.container.spawn_managed_thread(  # what the periodic timer does
        lambda: _run_expiry_check(api))
    eventually(lambda: "otg.registry.LicenceExpired.v1" in [e["type"] for e in api.get("/events").json()])


def _run_expiry_check(api):
    from nameko.testing.services import entrypoint_hook
    with entrypoint_hook(api.container, "flag_expired_licences") as check:
        check()


def test_openapi_document_describes_the_api(start_service):
    api = start_service(RegistryService)
    document = api.get("/openapi.json").json()
    assert document["openapi"].startswith("3.")
    post = document["paths"]["/institutions"]["post"]
    body = post["requestBody"]["content"]["application/json"]["schema"]
    assert "401" in post["responses"] and "bearer" in post["security"][0]
    assert "/events" in document["paths"] and "/institutions/{institution_id}" in document["paths"]
    schema_name = body["$ref"].rsplit("/", 1)[-1]
    assert "credit_code" in document["components"]["schemas"][schema_name]["properties"]
