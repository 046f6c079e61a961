"""Each task's measure, from a district's facts."""
from services.tasks.measures import measure

FACTS = {
    "plan_filed_on": None, "lists": {}, "institutions": 4, "self_inspected": 3,
    "safety_inspected": 4, "carry_over_total": 0, "carry_over_open": 0, "schools": 2,
    "surveyed": 1, "enrolments": 10, "unlisted": 1, "meetings": [2, 0],
    "checks": {}, "cases_found": 0, "cases_exposed": 0,
}


def task(kind, target=1.0, **params):
    return {"task_no": 1, "measure": {"kind": kind, **params}, "target": target}


def facts(**changes):
    return {**FACTS, **changes}


def test_plan_filed_is_done_once_a_plan_is_filed():
    assert not measure(task("plan_filed"), facts()).done
    assert measure(task("plan_filed"), facts(plan_filed_on="2024-01-20")).done


def test_lists_need_both_lists_published_and_filed():
    lists = {"white": {"published": True, "filed": True}, "black": {"published": True, "filed": False}}
    result = measure(task("lists_published_and_filed"), facts(lists=lists))
    assert (result.value, result.done) == (0.75, False)
    lists["black"]["filed"] = True
    assert measure(task("lists_published_and_filed"), facts(lists=lists)).done


def test_self_inspection_share_against_target_and_carry_over():
    assert measure(task("self_inspection_share"), facts()).value == 0.75
    assert measure(task("self_inspection_share", target=0.7), facts()).done
    blocked = measure(task("self_inspection_share", target=0.7), facts(carry_over_open=1))
    assert not blocked.done
    assert measure(task("self_inspection_share", target=0.7, carry_over_closed=False),
                   facts(carry_over_open=1)).done


def test_share_of_nothing_is_unmeasured_and_not_done():
    result = measure(task("safety_inspection_share"), facts(institutions=0, safety_inspected=0))
    assert (result.value, result.done) == (None, False)


def test_survey_and_meeting_shares_count_schools():
    assert measure(task("survey_share"), facts()).value == 0.5
    assert measure(task("meetings_share", min_meetings=1), facts()).value == 0.5
    assert measure(task("meetings_share", min_meetings=3), facts()).value == 0.0


def test_enforcement_checks_need_every_required_mode_and_topic():
    spec = {"minimums": {"night": 1, "joint": 2, "prepaid_fee": 1}}
    checks = {"enforcement": {"night": 1, "joint": 1, "prepaid_fee": 3}, "safety": {"joint": 5}}
    result = measure(task("enforcement_checks", **spec), facts(checks=checks))
    assert round(result.value, 3) == 0.667 and not result.done
    assert result.details == {"night": 1, "joint": 1, "prepaid_fee": 3}
    both = measure(task("enforcement_checks", kinds=["enforcement", "safety"], **spec),
                   facts(checks=checks))
    assert both.done


def test_cases_exposed_against_cases_found():
    assert not measure(task("cases_exposed_ratio", min_exposed=1), facts()).done
    half = measure(task("cases_exposed_ratio"), facts(cases_found=2, cases_exposed=1))
    assert (half.value, half.done) == (0.5, False)
    assert measure(task("cases_exposed_ratio"), facts(cases_found=2, cases_exposed=2)).done
    # a plan refuses min_exposed: 0; a stored one still needs a case exposed
    assert not measure(task("cases_exposed_ratio", min_exposed=0), facts()).done
    assert measure(task("cases_exposed_ratio", min_exposed=2), facts(cases_exposed=1)).value == 0.5


def test_enforcement_checks_requiring_nothing_are_not_done_with_no_check():
    result = measure(task("enforcement_checks"), facts())
    assert (result.value, result.done) == (None, False)
