from shared.creditcode import complete


def test_registry_runs_as_its_own_process(cluster, token):
    cluster.start("registry")
    api = cluster.api("registry")
    body = {"name": "海星艺术培训学校", "credit_code": complete("91371002MA3C00001"),
            "district": "371002", "category": "arts", "address": "环翠区海滨路1号"}
    created = api.post("/institutions", token(), json=body)
    assert created.status_code == 201, created.text
    assert api.get("/health").json()["events"] == 1
