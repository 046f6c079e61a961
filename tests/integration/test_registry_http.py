import pytest

from services.registry.service import RegistryService
from shared.creditcode import complete


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
