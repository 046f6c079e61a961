"""GET /institutions filters and pages as a registrar expects; odd ids and pages are refused."""
from services.registry.service import RegistryService
from shared.creditcode import complete

VALID = [{"kind": "school_permit", "number": "P-1", "valid_until": "2030-12-31"},
         {"kind": "business_licence", "number": "B-1", "valid_until": "2030-12-31"}]


def register(api, token, n, name, licences=()):
    body = {"name": name, "credit_code": complete(f"91371002MA3C{n:05d}"), "district": "371002",
            "category": "arts", "address": "环翠区海滨路1号", "licences": list(licences)}
    created = api.post("/institutions", token(), json=body)
    assert created.status_code == 201, created.text
    return created.json()["id"]


def names(response):
    assert response.status_code == 200, response.text
    return sorted(item["name"] for item in response.json()["items"])


def test_list_status_none_includes_institutions_without_licences(start_service, database_url, token):
    api = start_service(RegistryService, database_url)
    register(api, token, 1, "白名单学校", VALID)
    register(api, token, 2, "无证学校")
    register(api, token, 3, "只有办学许可证的学校", VALID[:1])
    response = api.get("/institutions?list_status=none", token())
    assert names(response) == ["只有办学许可证的学校", "无证学校"]
    assert response.json()["total"] == 2
    assert names(api.get("/institutions?list_status=white", token())) == ["白名单学校"]


def test_name_search_takes_percent_and_underscore_literally(start_service, database_url, token):
    api = start_service(RegistryService, database_url)
    register(api, token, 1, "百分百%培训", VALID)
    register(api, token, 2, "阳光_学堂", VALID)
    register(api, token, 3, "海星艺术培训学校", VALID)
    assert names(api.get("/institutions", token(), params={"q": "%"})) == ["百分百%培训"]
    assert names(api.get("/institutions", token(), params={"q": "_"})) == ["阳光_学堂"]
    assert names(api.get("/institutions", token(), params={"q": "光_学"})) == ["阳光_学堂"]


def test_a_page_beyond_any_database_is_a_400_with_the_field(start_service, database_url, token):
    api = start_service(RegistryService, database_url)
    register(api, token, 1, "海星艺术培训学校", VALID)
    response = api.get("/institutions?page=999999999999999999", token())
    assert response.status_code == 400
    assert "page" in response.json()["fields"]
    last = api.get("/institutions?page=1000000&per_page=500", token())
    assert last.status_code == 200 and last.json()["items"] == []


def test_commands_on_a_list_stream_id_answer_404(start_service, database_url, token):
    api = start_service(RegistryService, database_url)
    register(api, token, 1, "海星艺术培训学校", VALID)
    assert api.post("/lists/white/batches", token(), json={"district": "371002"}).status_code == 201
    stream = "lists-371002-white"  # a stream of list batches, not of an institution
    for command, body in (("suspend", {"reason": "安全隐患"}), ("reinstate", {}),
                          ("close", {"reason": "停止办学"}), ("review", {"reason": "多次投诉"}),
                          ("licences", VALID[0])):
        response = api.post(f"/institutions/{stream}/{command}", token(), json=body)
        assert response.status_code == 404, (command, response.text)
        assert response.json()["error"] == f"institution {stream} not found"
    assert api.get(f"/institutions/{stream}", token()).status_code == 404


def test_a_registrar_finds_an_institution_by_two_of_its_characters_or_its_whole_credit_code(
        start_service, database_url, token):
    api = start_service(RegistryService, database_url)
    register(api, token, 1, "海星艺术培训学校", VALID)
    register(api, token, 2, "启航书法学堂", VALID)
    assert names(api.get("/institutions", token(), params={"q": "艺术"})) == ["海星艺术培训学校"]
    by_two = api.get("/institutions", token(), params={"q": "学堂"})
    assert names(by_two) == ["启航书法学堂"] and by_two.json()["total"] == 1
    assert names(api.get("/institutions", token(), params={"q": "书法学"})) == ["启航书法学堂"]
    by_code = api.get("/institutions", token(), params={"q": complete("91371002MA3C00002")})
    assert names(by_code) == ["启航书法学堂"] and by_code.json()["total"] == 1
    assert names(api.get("/institutions", token(), params={"q": "91371002MA3C0000"})) == []
    assert names(api.get("/institutions", token(), params={"q": "学", "district": "371002"})) == [
        "启航书法学堂", "海星艺术培训学校"]
