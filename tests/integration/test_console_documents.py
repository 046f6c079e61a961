"""Printable documents made from a real inspection: numbered, Chinese in the PDF (checked
with poppler's pdftotext), frozen once issued. Page 1 is kept in test-artifacts/documents/."""
import shutil
import subprocess
from datetime import datetime, timezone
from pathlib import Path

import eventlet
import pytest

from services.console import documents
from shared.auth import Actor
from shared.clock import FixedClock
from shared.errors import BadRequest, Forbidden
from shared.events import Catalogue
from shared.store import EventStore
from test_inspection_http import inspection, inspector, register  # noqa: F401

ARTIFACTS_DIR = Path(__file__).resolve().parents[2] / "test-artifacts" / "documents"

FIRE = Actor("inspector", "fire", "371002", "3f1c9a52-0d4e-4b8a-9c41-6e2f0a7d5b10")
OFFICERS = [{"officer_id": "off-1", "name": "李明", "certificate": "37100219001"},
            {"officer_id": "off-2", "name": "王芳", "certificate": "鲁威执37100219002"}]


@pytest.fixture
def console_store(tmp_path):
    """The console's own database, its clock in Beijing's 2024."""
    store = EventStore(f"sqlite:///{tmp_path / 'console.db'}", Catalogue("console"),
                       clock=FixedClock(datetime(2024, 1, 20, 2, 0, tzinfo=timezone.utc)))
    store.create()
    documents.metadata.create_all(store.engine)
    yield store
    store.dispose()


def completed(api, token, school, kind="safety", description="安全出口上锁，疏散通道堆放杂物"):
    """An inspection with a critical fire finding, completed: (inspection, order)."""
    created = api.post("/inspections", inspector(token), json={
        "institution_id": school, "kind": kind, "modes": ["unannounced", "joint"],
        "departments": ["education", "fire"]})
    assert created.status_code == 201, created.text
    inspection_id = created.json()["id"]
    recorded = api.post(f"/inspections/{inspection_id}/findings", inspector(token), json={
        "item": "fire.evacuation", "severity": "critical", "description": description})
    assert recorded.status_code == 201, recorded.text
    present = [{"officer_id": o["officer_id"], "certificate": o["certificate"]} for o in OFFICERS]
    done = api.post(f"/inspections/{inspection_id}/complete", inspector(token),
                    json={"officers": present})
    order_id = done.json()["rectification_order_id"]
    view = api.get(f"/inspections/{inspection_id}", inspector(token)).json()
    return view, api.get(f"/rectifications/{order_id}", inspector(token)).json()


def pdf_text(pdf, tmp_path, name="document"):
    assert shutil.which("pdftotext"), "poppler-utils missing: .ci/run installs it"
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


def keep_first_page(pdf, tmp_path, name):
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile",
                    str(path), str(ARTIFACTS_DIR / name)], check=True)


def test_rectification_notice_prints_in_chinese_with_its_number_and_reprints_identically(
        inspection, amqp_uri, token, console_store, tmp_path):
    [school] = register(inspection, amqp_uri, token)
    view, order = completed(inspection, token, school)
    checklists = inspection.get("/checklists").json()
    draft = documents.preview("rectification_notice", view, order, [], FIRE, checklists)
    assert "（待编号）" in draft and "安全出口上锁" in draft
    assert documents.of_inspection(console_store, view["id"]) == []  # a preview takes no number
    notice = documents.issue("rectification_notice", view, order, [], console_store, FIRE, checklists)
    assert notice.number == "环消整改〔2024〕第0001号"
    assert notice.issued_by == FIRE.officer
    text = pdf_text(documents.pdf(notice), tmp_path)
    for expected in ("责令整改通知书", "环消整改〔2024〕第0001号", "海星艺术培训学校0",
                     "安全出口上锁", "2024年2月3日", "威海市环翠区消防救援大队"):
        assert expected in text
    fonts = subprocess.run(["pdffonts", str(tmp_path / "document.pdf")], capture_output=True,
                           text=True, check=True).stdout
    assert "NotoSansCJK" in fonts.replace("-", "") and " yes " in fonts  # embedded
    keep_first_page(documents.pdf(notice), tmp_path, "rectification_notice")

    again = documents.issue("rectification_notice", view, order, [], console_store, FIRE, checklists)
    stored = documents.find(console_store, notice.number)
    assert again.number == stored.number == notice.number
    assert again.html.encode() == stored.html.encode() == notice.html.encode()
    assert documents.pdf(stored) == documents.pdf(notice)
    assert len(documents.of_inspection(console_store, view["id"])) == 1


def test_numbers_run_on_per_department_district_and_year(inspection, amqp_uri, token, console_store):
    schools = register(inspection, amqp_uri, token, count=3)
    first, second = (documents.issue("rectification_notice", *completed(inspection, token, school),
                                     [], console_store, FIRE) for school in schools[:2])
    assert [first.serial, second.serial] == [1, 2]
    assert second.number == "环消整改〔2024〕第0002号"
    # 00:30 on 1 January in Beijing is still 31 December in UTC: a new year's register
    console_store.clock = FixedClock(datetime(2024, 12, 31, 16, 30, tzinfo=timezone.utc))
    third = documents.issue("rectification_notice", *completed(inspection, token, schools[2]),
                            [], console_store, FIRE)
    assert third.number == "环消整改〔2025〕第0001号"


def test_concurrent_issues_of_one_inspection_make_one_document(
        inspection, amqp_uri, token, console_store):
    [school] = register(inspection, amqp_uri, token)
    view, order = completed(inspection, token, school)
    issuing = [eventlet.spawn(documents.issue, "rectification_notice", view, order, [],
                              console_store, FIRE) for _ in range(3)]
    assert {thread.wait().number for thread in issuing} == {"环消整改〔2024〕第0001号"}
    assert len(documents.of_inspection(console_store, view["id"])) == 1


def test_enforcement_record_names_two_certified_officers_or_is_refused(
        inspection, amqp_uri, token, console_store, tmp_path):
    [school] = register(inspection, amqp_uri, token)
    view, order = completed(inspection, token, school, kind="enforcement")
    with pytest.raises(BadRequest) as refused:
        documents.issue("inspection_record", view, order, OFFICERS[:1], console_store, FIRE)
    assert "officers" in refused.value.fields
    uncertified = [OFFICERS[0], {**OFFICERS[1], "certificate": None}]
    with pytest.raises(BadRequest):
        documents.issue("inspection_record", view, order, uncertified, console_store, FIRE)
    others = [OFFICERS[0], {**OFFICERS[1], "officer_id": "off-9"}]  # not those the check names
    with pytest.raises(BadRequest) as not_present:
        documents.issue("inspection_record", view, order, others, console_store, FIRE)
    assert "officers" in not_present.value.fields
    assert documents.of_inspection(console_store, view["id"]) == []

    record = documents.issue("inspection_record", view, order, OFFICERS, console_store, FIRE,
                             inspection.get("/checklists").json())
    assert record.number == "环消检查〔2024〕第0001号"
    text = pdf_text(documents.pdf(record), tmp_path)
    for expected in ("现场检查笔录", record.number, "李明", "37100219001", "王芳",
                     "鲁威执37100219002", "安全出口上锁"):
        assert expected in text
    keep_first_page(documents.pdf(record), tmp_path, "inspection_record")


def test_markup_in_the_data_is_printed_as_text_and_fetches_nothing(
        inspection, amqp_uri, token, console_store, tmp_path):
    [school] = register(inspection, amqp_uri, token)
    view, order = completed(inspection, token, school,
                            description='<img src="file:///etc/passwd">通道堵塞<script>x()</script>')
    notice = documents.issue("rectification_notice", view, order, [], console_store, FIRE)
    assert "<img" not in notice.html and "<script>" not in notice.html
    assert "&lt;img" in notice.html
    assert '<img src="file:///etc/passwd">通道堵塞' in pdf_text(documents.pdf(notice), tmp_path)


def test_documents_of_another_district_department_or_an_unfinished_check_are_refused(
        inspection, amqp_uri, token, console_store):
    [school] = register(inspection, amqp_uri, token)
    view, order = completed(inspection, token, school)
    with pytest.raises(Forbidden):
        documents.issue("rectification_notice", view, order, [], console_store,
                        Actor("inspector", "fire", "371003"))
    with pytest.raises(Forbidden):
        documents.issue("rectification_notice", view, order, [], console_store,
                        Actor("inspector", "sports", "371002"))
    with pytest.raises(BadRequest) as no_order:
        documents.issue("rectification_notice", view, None, [], console_store, FIRE)
    assert "order" in no_order.value.fields
    with pytest.raises(BadRequest) as bad_kind:
        documents.issue("warning_letter", view, order, [], console_store, FIRE)
    assert "kind" in bad_kind.value.fields
    with pytest.raises(BadRequest) as a_name:
        documents.issue("inspection_record", view, order, [{"officer_id": "张三", "name": "张三"}],
                        console_store, FIRE)
    assert "officers" in a_name.value.fields
    unfinished = {**view, "status": "scheduled"}
    with pytest.raises(BadRequest):
        documents.issue("inspection_record", unfinished, None, OFFICERS, console_store, FIRE)
    assert documents.of_inspection(console_store, view["id"]) == []
