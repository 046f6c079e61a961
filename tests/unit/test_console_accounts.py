"""The console's officer accounts and the tokens it hands to the services (no I/O)."""
import jwt
import pytest

from services.console import accounts
from services.console.backend import TOKEN_SECONDS, token_for
from services.console.domain import Officer, one_time_password
from services.console.web import safe_next
from shared import auth
from shared.errors import BadRequest, Conflict

OFFICER = {"officer_id": "of-1234abcd", "role": "inspector", "department": "fire",
           "district": "371002", "name": "李消防"}


def test_an_officer_is_added_with_claims_from_the_shared_vocabulary():
    officer = Officer.add("inspector", "fire", "371002", certified=True)
    [added] = officer.collect()
    assert added.NAME == "OfficerAdded" and added.officer_id == officer.id
    assert "name" not in added.data and officer.must_change_password
    with pytest.raises(BadRequest) as refused:
        Officer.add("chief", "police", "110000")
    assert set(refused.value.fields) == {"role", "department", "district"}


def test_a_disabled_officer_gets_no_new_password_and_no_new_role():
    officer = Officer.add("registrar", "education", "371002")
    officer.disable()
    with pytest.raises(Conflict):
        officer.reset_password()
    with pytest.raises(Conflict):
        officer.change_role("handler", "education", "371002")


def test_a_school_account_knows_its_school_and_no_other_account_has_one():
    [added] = Officer.add("school", "education", "371073", school_id="lg-001").collect()
    assert added.data["school_id"] == "lg-001"
    for role, school in (("school", None), ("registrar", "lg-001"), ("school", "lg/001")):
        with pytest.raises(BadRequest) as refused:
            Officer.add(role, "education", "371073", school_id=school)
        assert "school" in refused.value.fields


def test_the_token_names_the_officer_by_id_and_dies_within_a_minute(monkeypatch):
    token = token_for(OFFICER)
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["officer"] == "of-1234abcd" and "李消防" not in token
    assert claims["exp"] - claims["iat"] == TOKEN_SECONDS <= 60
    assert auth.verify(token) == auth.Actor("inspector", "fire", "371002", subject="of-1234abcd",
                                           officer="of-1234abcd")


def test_a_new_password_is_long_enough_not_the_login_and_typed_twice_the_same():
    accounts.check_new_password("a-good-long-password", "a-good-long-password", "hc-fire")
    for password, repeated, field in (("short", "short", "password"),
                                      ("hc-fire-123", "hc-fire-123x", "repeated"),
                                      ("HC-FIRE-LOGIN", "HC-FIRE-LOGIN", "password")):
        with pytest.raises(BadRequest) as refused:
            accounts.check_new_password(password, repeated, "hc-fire-login" if "LOGIN" in password
                                        else "hc-fire")
        assert field in refused.value.fields


def test_passwords_are_hashed_with_argon2id_and_checked():
    account = {"password_hash": accounts.hasher.hash("a-good-long-password")}
    assert account["password_hash"].startswith("$argon2id$")
    assert accounts.password_matches(account, "a-good-long-password")
    assert not accounts.password_matches(account, "a-wrong-password")
    assert not accounts.password_matches(None, "a-good-long-password")


def test_one_time_passwords_avoid_look_alike_characters():
    password = one_time_password()
    assert len(password) == 12 and not set(password) & set("0O1lI")


@pytest.mark.parametrize("target, expected", [
    ("/complaints?status=assigned", "/complaints?status=assigned"), ("//evil.example", "/"),
    ("https://evil.example/", "/"), ("/\\evil", "/"), (None, "/")])
def test_after_sign_in_only_a_page_of_the_console_is_opened(target, expected):
    assert safe_next(target) == expected


def test_an_exported_cell_never_runs_as_a_formula():
    from services.console.pages import csv_download
    body = csv_download("x.csv", ["名称"], [["=HYPERLINK(\"http://evil\")"], ["海豚学堂"]]).get_data(True)
    assert "'=HYPERLINK" in body and "\n海豚学堂" in body.replace("\r", "")
