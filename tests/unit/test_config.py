"""Settings as operators write them: empty (compose's `${X:-}`), words for flags, typos."""
import pytest

from shared import config


def test_an_empty_setting_means_its_default(monkeypatch):
    for name in ("OTG_TRUSTED_PROXIES", "OTG_CHECK_INTERVAL", "OTG_RELAY", "OTG_QUORUM_QUEUES",
                 "OTG_QUEUE_TYPE", "OTG_REGISTRY_PORT"):
        monkeypatch.setenv(name, "")
    assert config.trusted_proxies() == [] and config.check_interval() == 60.0
    assert config.relay_enabled() is True and config.queue_type() == config.DEFAULT_QUEUE_TYPE
    assert config.port("registry") == 8001


@pytest.mark.parametrize("text, enabled", [("0", False), ("false", False), ("off", False),
                                           ("1", True), ("True", True), ("yes", True)])
def test_flags_take_the_words_people_write(monkeypatch, text, enabled):
    monkeypatch.setenv("OTG_RELAY", text)
    monkeypatch.delenv("OTG_QUEUE_TYPE", raising=False)
    monkeypatch.setenv("OTG_QUORUM_QUEUES", text)  # the older setting
    assert config.relay_enabled() is enabled
    assert config.queue_type() == ("quorum" if enabled else "classic")


def test_a_value_that_does_not_parse_is_named(monkeypatch):
    monkeypatch.setenv("OTG_CHECK_INTERVAL", "5s")
    with pytest.raises(ValueError, match="OTG_CHECK_INTERVAL='5s'"):
        config.check_interval()
    monkeypatch.setenv("OTG_RELAY", "maybe")
    with pytest.raises(ValueError, match="OTG_RELAY='maybe'"):
        config.relay_enabled()


def test_a_generated_secret_is_written_once_and_read_whole(monkeypatch, tmp_path):
    monkeypatch.setenv("OTG_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("OTG_PUPIL_KEY", raising=False)
    first = config.secret("pupil_key")
    assert len(first) == 64 and config.secret("pupil_key") == first
    assert [p.name for p in tmp_path.iterdir()] == ["pupil_key.secret"]  # no drafts left
    assert oct((tmp_path / "pupil_key.secret").stat().st_mode & 0o777) == "0o600"
