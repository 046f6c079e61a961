"""A service refuses to start with a placeholder secret or one shorter than 32 bytes,
saying which variable and what to do; a generated or long random secret is accepted."""
import subprocess

import pytest
from click.testing import CliRunner

from otg import runner
from otg.cli import main
from shared import config

GOOD = "9f2c4e7a1b3d5f60718293a4b5c6d7e8"  # 32 bytes


@pytest.mark.parametrize("value", ["change-me-to-64-random-hex-characters", "CHANGE_ME" + "x" * 40,
                                   "short-secret", "k" * 31, "密钥" * 5])
def test_a_placeholder_or_short_secret_is_refused(monkeypatch, value):
    monkeypatch.setenv("OTG_CONTACT_KEY", value)
    with pytest.raises(config.UnsafeSecret, match="OTG_CONTACT_KEY .*openssl rand -hex 32"):
        config.secret("contact_key")
    with pytest.raises(config.UnsafeSecret):
        config.check_secrets()


def test_a_long_random_or_generated_secret_is_accepted(monkeypatch, tmp_path):
    monkeypatch.setenv("OTG_CONTACT_KEY", GOOD)
    assert config.secret("contact_key") == GOOD
    monkeypatch.delenv("OTG_PUPIL_KEY", raising=False)
    monkeypatch.setenv("OTG_DATA_DIR", str(tmp_path))
    config.check_secrets()
    assert len(config.secret("pupil_key")) == 64


@pytest.mark.parametrize("variable", ["OTG_JWT_SECRET", "OTG_PUPIL_KEY"])
def test_a_service_with_a_placeholder_secret_does_not_start(amqp_uri, tmp_path, variable):
    env = {"AMQP_URI": amqp_uri, "OTG_DATA_DIR": str(tmp_path), "OTG_REGISTRY_PORT": "0",
           variable: "change-me-as-well-and-long-enough-to-pass-the-length"}
    process = runner.start("registry", env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        output, _ = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode != 0
    assert f"{variable} is still the placeholder" in output.decode()


def test_the_command_line_refuses_a_short_secret_with_a_usage_error(monkeypatch):
    monkeypatch.setenv("OTG_JWT_SECRET", "short")
    result = CliRunner().invoke(main, ["token", "issue", "--role", "admin", "--department", "education",
                                       "--district", "371000"])
    assert result.exit_code == 2 and "OTG_JWT_SECRET is shorter than 32 bytes" in result.output
