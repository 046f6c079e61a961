"""E-mail intake: `otg complaints import-mail` reads .eml files and Maildirs into the
running service, keeping attachments, once per message."""
import mailbox
from email.message import EmailMessage

import pytest
from click.testing import CliRunner

from services.complaints import mail
from services.complaints.cli import commands
from services.complaints.service import ComplaintsService
from support import tiny_png

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def message(subject, body, sender="家长 <parent@example.com>", message_id="<m1@mail.example>",
            attachments=(), html=False):
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, "jubao@huancui.example", subject
    msg["Message-ID"] = message_id
    msg.set_content(body, subtype="html" if html else "plain")
    for name, data, maintype, subtype in attachments:
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return msg


@pytest.fixture
def complaints(start_service, monkeypatch, tmp_path):
    monkeypatch.setenv("OTG_DATA_DIR", str(tmp_path / "data"))
    return start_service(ComplaintsService)


def run(api, source, token):
    return CliRunner().invoke(commands, ["import-mail", str(source), "--district", "371002",
                                         "--url", api.base, "--token", token])


def test_mail_directory_is_imported_once_with_its_attachments(complaints, tmp_path, token):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "1.eml").write_bytes(bytes(message(
        "举报：机构不退学费", "孩子在启航学堂报了一年课，机构停课后拒绝退费。", attachments=[
            ("收据.png", tiny_png(), "image", "png"), ("合同.pdf", PDF, "application", "pdf"),
            ("tool.exe", b"MZ\x90\x00", "application", "octet-stream")])))
    (inbox / "2.eml").write_bytes(bytes(message(
        "补课", "<p>小区里有人办<b>数学补课</b>班</p><script>x()</script>", message_id="<m2@mail.example>",
        html=True)))
    handler = token("handler", "education", "371002")

    first = run(complaints, inbox, handler)
    assert first.exit_code == 0, first.output
    assert "2 imported" in first.output and "attachment 3 not kept" in first.output
    assert "parent@example.com" not in first.output
    again = run(complaints, inbox, handler)
    assert "2 already imported" in again.output

    cases = complaints.get("/complaints?channel=email", handler).json()["items"]
    assert len(cases) == 2
    by_category = {c["category"]: complaints.get(f"/complaints/{c['id']}", handler).json() for c in cases}
    refund = by_category["prepaid_fee"]
    assert sorted(p["content_type"] for p in refund["photos"]) == ["application/pdf", "image/png"]
    assert complaints.get(refund["contact_url"], handler).json()["contact"] == {
        "name": "家长", "email": "parent@example.com"}
    assert refund["description"].startswith("举报：机构不退学费")
    assert by_category["disguised_academic"]["description"] == "补课\n\n小区里有人办数学补课班"


def test_maildir_messages_are_read(tmp_path):
    box = mailbox.Maildir(tmp_path / "Maildir", create=True)
    box.add(message("广告", "门口发传单", message_id="<a@x>"))
    box.add(message("消防", "安全出口堵了", message_id="<b@x>"))
    parsed = [mail.parse(label, raw) for label, raw in mail.read(tmp_path / "Maildir")]
    assert sorted(m.subject for m in parsed) == ["广告", "消防"]
    assert len({m.ref for m in parsed}) == 2


def test_unusable_message_is_reported_and_the_run_fails(complaints, tmp_path, token):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "empty.eml").write_bytes(bytes(message("", "", message_id="<e@x>")))
    result = run(complaints, inbox, token("handler", "education", "371002"))
    assert result.exit_code == 1 and "empty.eml: refused — no text to report" in result.output
