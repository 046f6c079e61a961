"""Tokens of named officers carry the officer's id, never a name."""
import pytest
from click.testing import CliRunner

from shared import auth
from otg.cli import main
from shared.errors import BadRequest

OFFICER = "3f1c9a52-0d4e-4b8a-9c41-6e2f0a7d5b10"


def test_officer_token_names_the_officer_and_a_plain_token_none():
    officer = auth.verify(auth.issue("inspector", "fire", "371002", officer=OFFICER))
    assert officer.officer == OFFICER
    assert str(officer) == "fire/371002/inspector"  # the actor attribute is unchanged
    assert auth.verify(auth.issue("inspector", "fire", "371002")).officer is None


@pytest.mark.parametrize("name", ["张三", "Li Wei", "", "a" * 65, "ok\n"])
def test_a_name_or_malformed_id_is_refused_as_officer(name):
    with pytest.raises(BadRequest) as refused:
        auth.issue("inspector", "fire", "371002", officer=name)
    assert "officer" in refused.value.fields


def test_cli_issues_an_officer_token_and_refuses_a_name_with_exit_code_2():
    runner = CliRunner()
    issued = runner.invoke(main, ["token", "issue", "--role", "handler", "--department",
                                  "education", "--district", "371003", "--officer", OFFICER])
    assert issued.exit_code == 0, issued.output
    assert auth.verify(issued.output.strip()).officer == OFFICER
    refused = runner.invoke(main, ["token", "issue", "--role", "handler", "--department",
                                   "education", "--district", "371003", "--officer", "张三"])
    assert refused.exit_code == 2
    assert "--officer" in refused.output


def test_a_forged_officer_claim_that_is_not_an_id_is_unauthorized():
    import jwt
    from datetime import datetime, timedelta, timezone
    from shared import config
    from shared.errors import Unauthorized
    claims = {"role": "inspector", "department": "fire", "district": "371002", "iss": "otg",
              "officer": "王五", "exp": datetime.now(timezone.utc) + timedelta(hours=1)}
    signed = jwt.encode(claims, config.secret("jwt_secret"), algorithm=auth.ALGORITHM)
    with pytest.raises(Unauthorized):
        auth.verify(signed)
