"""Checklists, random samples and patrol logs: the data rules of inspection."""
import hashlib
from datetime import date, datetime, time

import pytest

from services.inspection import checklists, patrol, sampling
from services.inspection.domain import Sample
from shared.errors import BadRequest


def test_nine_fire_safety_rules_are_nine_items_each_with_a_source():
    nine = checklists.get("fire_nine_rules")
    assert [i["id"] for i in nine["items"]] == [
        "fire.responsibility", "fire.premises", "fire.ignition_sources", "fire.evacuation",
        "fire.equipment", "fire.checks_patrols", "fire.training_drills", "fire.mutual_aid",
        "fire.prohibitions"]
    assert "教监管厅函〔2022〕9号" in nine["source"] and nine["uncertainty"]


def test_every_checklist_item_names_its_source_and_whether_the_wording_is_uncertain():
    for checklist in checklists.all_checklists().values():
        for item in checklist["items"]:
            assert item["source"] and isinstance(item["uncertain"], bool), item["id"]


def test_checklists_cite_the_january_plan_by_its_title_and_no_file_outside_the_repository():
    for checklist in checklists.all_checklists().values():
        cited = " ".join([checklist["source"], *(item["source"] for item in checklist["items"])])
        assert ".txt" not in cited and "seed/" not in cited, checklist["id"]
        assert "2024-03" not in cited and "March" not in cited, checklist["id"]
        if "威海" in cited:
            assert "《2024年寒假期间校外培训治理工作方案》" in cited and "January 2024" in cited


def test_unknown_item_is_a_field_error():
    with pytest.raises(BadRequest) as refused:
        checklists.item("fire.nonsense")
    assert "item" in refused.value.fields


POPULATION = [f"inst-{n:03d}" for n in range(40)]


def test_sample_can_be_redrawn_by_anyone_from_the_recorded_seed_and_population():
    sample = Sample.draw("371002", POPULATION, 5, "winter-2024")
    [drawn] = sample.collect()
    # the documented method, written again independently
    ranked = sorted(drawn.population,
                    key=lambda i: hashlib.sha256(f"{drawn.seed}:{i}".encode()).hexdigest())
    assert drawn.institution_ids == ranked[:5]
    assert drawn.population_digest == hashlib.sha256("\n".join(POPULATION).encode()).hexdigest()
    assert Sample.draw("371002", reversed(POPULATION), 5, "winter-2024").institution_ids == \
        drawn.institution_ids


def test_another_seed_draws_another_sample():
    assert sampling.draw(POPULATION, 5, "a") != sampling.draw(POPULATION, 5, "b")


def test_sample_larger_than_the_district_is_refused():
    with pytest.raises(BadRequest) as refused:
        Sample.draw("371002", POPULATION[:3], 4, "s")
    assert "size" in refused.value.fields


def rows(*lines):
    return [(n, [v.strip() for v in line.split(",")]) for n, line in enumerate(lines, start=1)]


def test_patrol_log_gaps_over_two_hours_in_opening_hours_are_found():
    patrols = patrol.read_patrols(rows("日期,时间,巡查人", "2024-01-20,08:30,x", "2024-01-20,10:30,x",
                                       "2024-01-20,13:00,x", "2024-01-20,19:30,x"))
    found = patrol.gaps(patrols, [date(2024, 1, 20), date(2024, 1, 21)], time(8), time(20))
    day = lambda h, m=0, d=20: datetime(2024, 1, d, h, m)  # noqa: E731
    assert found == [(day(10, 30), day(13)), (day(13), day(19, 30)), (day(8, d=21), day(20, d=21))]


def test_patrol_exactly_every_two_hours_leaves_no_gap():
    patrols = [datetime(2024, 1, 20, h) for h in (10, 12, 14, 16, 18)]
    assert patrol.gaps(patrols, [date(2024, 1, 20)], time(8), time(20)) == []


def test_unreadable_patrol_rows_are_named():
    with pytest.raises(BadRequest) as refused:
        patrol.read_patrols(rows("date,time", "2024-01-20,08:30", "yesterday,noon"))
    assert list(refused.value.fields) == ["row 3"]


def test_opening_hours_must_close_after_opening():
    with pytest.raises(BadRequest):
        patrol.opening_hours("20:00-08:00")


def test_safety_complaint_is_verified_by_an_unannounced_safety_check_at_the_known_site():
    from services.inspection.policies import verification_check
    check = verification_check(
        {"complaint_id": "c-7", "district": "371003", "category": "safety_hazard",
         "institution_id": "i-1", "institution_name": "旧名", "lead_department": "nobody"},
        {"id": "i-1", "district": "371002", "name": "海星艺术培训学校", "address": "海滨路1号"})
    assert (check["kind"], check["focus"], check["modes"], check["departments"]) == (
        "safety", ["fire_safety", "premises"], ["unannounced"], ["education"])
    assert (check["district"], check["site_name"], check["source"], check["source_type"]) == (
        "371002", "海星艺术培训学校", "c-7", "complaint")


def test_patrol_times_with_an_offset_are_read_as_beijing_wall_clock_times():
    patrols = patrol.read_patrols(rows("time", "2024-01-20T09:00+08:00", "2024-01-20T03:00Z",
                                       "2024-01-20T10:00"))
    assert patrols == [datetime(2024, 1, 20, 9), datetime(2024, 1, 20, 10),
                       datetime(2024, 1, 20, 11)]


def test_patrol_period_over_366_days_is_refused_naming_the_field():
    log = b"date,time\n2024-01-20,08:00\n"
    with pytest.raises(BadRequest) as refused:
        patrol.read_log(log, "log.csv", {"period_from": date(2024, 1, 1),
                                         "period_to": date(2204, 1, 31)})
    assert "period_to" in refused.value.fields
    _, days = patrol.read_log(log, "log.csv", {"period_from": date(2024, 1, 1),
                                               "period_to": date(2024, 12, 31)})
    assert len(days) == 366
