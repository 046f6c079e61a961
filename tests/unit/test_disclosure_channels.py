"""Report channels come from a data file operators replace; samples are flagged."""
from click.testing import CliRunner

from services.disclosure import channels
from services.disclosure.cli import commands


def test_shipped_channels_are_marked_as_samples_and_the_strict_check_fails():
    assert channels.load()["sample"] is True
    result = CliRunner().invoke(commands, ["channels", "--strict"])
    assert result.exit_code == 1 and "SAMPLE" in result.output


def test_operator_file_replaces_the_samples_and_qr_points_to_the_public_form(tmp_path, monkeypatch):
    lines = ["sample: false", "districts:"] + [
        f'  "{code}": {{hotline: "0631-1234567", email: "x{code}@weihai.example"}}'
        for code in ("371002", "371003", "371082", "371083", "371071", "371072", "371073", "371074")]
    (tmp_path / "channels.yaml").write_text("\n".join(lines), encoding="utf-8")
    monkeypatch.setenv("OTG_DISCLOSURE_CHANNELS", str(tmp_path / "channels.yaml"))
    monkeypatch.setenv("OTG_COMPLAINTS_PUBLIC_URL", "https://jubao.weihai.example/")
    assert channels.for_district("371083")["form_url"] == "https://jubao.weihai.example/report?district=371083"
    assert CliRunner().invoke(commands, ["channels", "--strict"]).exit_code == 0
