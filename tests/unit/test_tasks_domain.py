"""Tasks rules: given events ⇒ command ⇒ events."""
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from services.tasks import plans
from services.tasks.domain import Campaign, DistrictCampaign, Plan, School, SchoolCampaign
from services.tasks.measures import Measured
from shared.errors import Conflict

PLAN = Plan(plans.parse((Path(__file__).parents[2] / "deploy" / "plans" /
                         "weihai-2024-winter.yaml").read_bytes()))
HUANCUI = "371002"


def measured(*done):
    """Every task measured; those numbered in `done` reached their target."""
    return {t["task_no"]: Measured(1.0 if t["task_no"] in done else 0.0, t["task_no"] in done)
            for t in PLAN.tasks}


def part():
    return DistrictCampaign(DistrictCampaign.stream_id(PLAN.id, HUANCUI))


def emitted(aggregate):
    return [(e.NAME, e.task_no) for e in aggregate.collect()]


def test_tasks_past_their_deadline_fall_overdue_once():
    district = part()
    district.settle(PLAN, HUANCUI, measured(), date(2024, 1, 22))
    assert emitted(district) == []          # the deadline day itself is still in time
    district.settle(PLAN, HUANCUI, measured(), date(2024, 1, 27))
    assert emitted(district) == [("TaskOverdue", n) for n in (1, 2, 3, 4, 5)]
    district.settle(PLAN, HUANCUI, measured(), date(2024, 1, 28))
    assert emitted(district) == []


def test_done_task_completes_once_and_never_falls_overdue():
    district = part()
    district.settle(PLAN, HUANCUI, measured(1), date(2024, 1, 20))
    assert emitted(district) == [("TaskCompleted", 1)]
    district.settle(PLAN, HUANCUI, measured(1), date(2024, 1, 23))
    assert emitted(district) == []
    district.settle(PLAN, HUANCUI, measured(), date(2024, 1, 30))   # measure dropped later
    assert emitted(district) == [("TaskOverdue", n) for n in (2, 3, 4, 5)]


def test_late_completion_is_overdue_first_then_completed_late():
    district = part()
    district.settle(PLAN, HUANCUI, measured(2), date(2024, 1, 25))
    events = district.collect()
    assert [(e.NAME, e.task_no) for e in events if e.task_no == 2] == [
        ("TaskOverdue", 2), ("TaskCompleted", 2)]
    assert events[-1].late is True and events[-1].completed_on == "2024-01-25"


def test_replayed_district_remembers_what_it_emitted():
    district = part()
    district.settle(PLAN, HUANCUI, measured(), date(2024, 1, 27))
    replayed = DistrictCampaign.replay(district.id, district.collect())
    assert not replayed.needs_settling(PLAN, measured(), date(2024, 1, 27))
    assert replayed.needs_settling(PLAN, measured(6), date(2024, 1, 27))
    assert replayed.needs_settling(PLAN, measured(), date(2024, 2, 7))


def test_a_district_is_named_once_for_a_lag_and_again_when_it_falls_behind_again():
    district = part()
    district.settle(PLAN, HUANCUI, measured(), date(2024, 1, 27))  # tasks 1-5 overdue
    district.collect()
    district.name(PLAN.id, HUANCUI, ["任务3逾期"], date(2024, 1, 28))
    [event] = district.collect()
    assert (event.NAME, event.reasons, event.named_on) == ("DistrictNamed", ["任务3逾期"], "2024-01-28")
    assert event.task_nos == [1, 2, 3, 4, 5]
    with pytest.raises(Conflict):
        district.name(PLAN.id, HUANCUI, ["again"], date(2024, 1, 29))

    district.settle(PLAN, HUANCUI, measured(), date(2024, 2, 7))  # task 6 overdue since
    district.collect()
    district.name(PLAN.id, HUANCUI, ["任务6逾期"], date(2024, 2, 8))
    [again] = district.collect()
    assert again.task_nos == [6]
    replayed = DistrictCampaign.replay(district.id, [event, again])
    with pytest.raises(Conflict):
        replayed.name(PLAN.id, HUANCUI, ["a third time"], date(2024, 2, 9))


def test_deadlines_are_local_dates_in_the_campaign_time_zone():
    late_evening_utc = datetime(2024, 1, 26, 17, 0, tzinfo=timezone.utc)  # 01:00 on the 27th in Weihai
    assert PLAN.today(late_evening_utc) == date(2024, 1, 27)
    assert PLAN.since() == "2024-01-14T16:00:00"


def school():
    registered = School.register("s-1", "环翠区第一小学", HUANCUI)
    return School.replay(registered.id, registered.collect())


def group(name, code=None, pupils=2):
    from services.tasks.domain import institution_key
    return {"key": institution_key(code, name), "institution_name": name, "credit_code": code,
            "pupil_count": pupils, "reason": "not_registered"}


def test_unlisted_institution_is_reported_once_per_school_and_campaign():
    returns = SchoolCampaign(SchoolCampaign.stream_id(PLAN.id, "s-1"))
    counts = {"enrolment_count": 3, "pupil_count": 3, "unlisted_count": 2}
    returns.return_survey(PLAN.id, school(), counts, [group("蓝天 英语"), group("启明书法", pupils=1)])
    first = returns.collect()
    assert [e.NAME for e in first] == ["SurveyReturned", "UnlistedInstitutionReported",
                                       "UnlistedInstitutionReported"]
    assert first[1].pupil_count == 2 and first[1].district == HUANCUI
    returns.return_survey(PLAN.id, school(), counts, [group("蓝天英语"), group("新星美术")])
    second = returns.collect()
    assert [(e.NAME, e.data.get("institution_name")) for e in second] == [
        ("SurveyReturned", None), ("UnlistedInstitutionReported", "新星美术")]
    assert second[0].revision == 2


def test_stream_ids_of_different_parts_never_coincide():
    assert Campaign.stream_id("x-371002") != DistrictCampaign.stream_id("x", "371002")
    assert SchoolCampaign.stream_id("a-b", "c") != SchoolCampaign.stream_id("a", "b-c")
