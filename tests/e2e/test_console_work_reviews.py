"""Issue 10: the 工作台 lists a black-list review on an institution still open (not
suspended) to the department that decides it — through the registry's
`GET /institutions?review=open`."""
from consoling import add_officer, signed_in
from shared import creditcode
from support import eventually

CODE = creditcode.complete("52371002MJ" + "7651234")


def test_open_institution_under_review_is_on_the_deciding_departments_work_page_only(
        cluster, token):
    cluster.start("console", "registry")
    registry = cluster.api("registry")
    registrar = token("registrar", "education", "371002")
    institution = registry.post("/institutions", registrar, json={
        "name": "海星学科辅导中心", "credit_code": CODE, "district": "371002",
        "category": "academic", "address": "环翠区海滨路 9 号"}).json()
    other = registry.post("/institutions", registrar, json={
        "name": "海葵学科辅导中心", "credit_code": creditcode.complete("52371002MJ" + "7651235"),
        "district": "371002", "category": "academic", "address": "环翠区海滨路 10 号"}).json()
    assert registry.post(f"/institutions/{institution['id']}/review", registrar,
                         json={"reason": "多次被举报超前培训"}).status_code in (200, 201)

    def under_review():
        found = registry.get("/institutions", registrar, params={"review": "open"}).json()
        return [i["id"] for i in found["items"]] == [institution["id"]]
    eventually(under_review)
    assert registry.get("/institutions", registrar, params={"review": "all"}).status_code == 400
    assert other["id"] != institution["id"]

    education = signed_in(cluster, "rev-edu", add_officer(cluster, "rev-edu", "registrar", "education"))
    work = education.get(education.base + "/").text
    assert "海星学科辅导中心" in work and "黑名单复核" in work and "由本部门决定" in work
    assert "海葵学科辅导中心" not in work
    sports = signed_in(cluster, "rev-sport", add_officer(cluster, "rev-sport", "registrar", "sports"))
    assert "海星学科辅导中心" not in sports.get(sports.base + "/").text
