"""Campaign plans as data: the shipped Weihai plan, and clear refusals of bad ones."""
from pathlib import Path

import pytest

from services.tasks import plans
from shared.errors import BadRequest

WEIHAI = Path(__file__).parents[2] / "deploy" / "plans" / "weihai-2024-winter.yaml"


def weihai_text():
    return WEIHAI.read_text(encoding="utf-8")


def refusal(text):
    with pytest.raises(BadRequest) as refused:
        plans.parse(text)
    return refused.value


def test_weihai_plan_has_the_eight_tasks_with_their_deadlines():
    plan = plans.parse(WEIHAI.read_bytes())
    assert plan["campaign_id"] == "weihai-2024-winter"
    assert [(t["task_no"], t["deadline"]) for t in plan["tasks"]] == [
        (1, "2024-01-22"), (2, "2024-01-24"), (3, "2024-01-26"), (4, "2024-01-26"),
        (5, "2024-01-26"), (6, "2024-02-06"), (7, "2024-02-24"), (8, "2024-02-24")]
    assert len(plan["districts"]) == 8
    assert plan["tasks"][2]["lead"] == ["education", "culture_tourism", "sports"]
    assert plan["tasks"][2]["responsible"] == ["public_security", "fire"]


def test_bad_deadline_is_refused_naming_its_line_and_field():
    text = weihai_text().replace("deadline: 2024-02-06", "deadline: 2024-02-31")
    line = next(n for n, l in enumerate(text.splitlines(), 1) if "2024-02-31" in l)
    error = refusal(text)
    assert f"line {line}: tasks[5].deadline" in str(error)
    assert list(error.fields) == [f"line {line}: tasks[5].deadline"]


def test_parameter_of_another_measure_is_refused():
    text = weihai_text().replace("measure: {kind: survey_share}",
                                 "measure: {kind: survey_share, min_exposed: 2}")
    error = refusal(text)
    assert "tasks[3].measure.min_exposed" in str(error)


def test_unknown_department_and_measure_are_named():
    text = weihai_text().replace("responsible: [public_security, fire]\n    deadline: 2024-01-26",
                                 "responsible: [police, fire]\n    deadline: 2024-01-26")
    text = text.replace("kind: plan_filed", "kind: plan_written")
    fields = refusal(text).fields
    assert any(key.endswith("tasks[2].responsible[0]") for key in fields)
    assert any(key.endswith("tasks[0].measure.kind") for key in fields)


def test_a_task_number_used_twice_is_refused():
    text = weihai_text().replace("task_no: 8", "task_no: 7")
    assert "task 7 appears twice" in str(refusal(text).fields)


def test_broken_yaml_is_refused_with_its_line():
    error = refusal("campaign_id: x\ntasks: [\n")
    assert "not valid YAML" in str(error) and "line 3" in str(error)


def test_short_measure_form_and_defaults():
    plan = plans.parse("campaign_id: c1\ntitle: 试点\nstarts_on: 2024-07-01\n"
                       "tasks:\n  - {task_no: 1, title: 方案, deadline: 2024-07-10, measure: plan_filed}\n")
    assert plan["tasks"][0]["measure"] == {"kind": "plan_filed"}
    assert plan["tasks"][0]["target"] == 1.0
    assert plan["timezone"] == "Asia/Shanghai" and "371074" in plan["districts"]


def test_check_plan_command_names_the_problem_and_exits_2(tmp_path):
    from click.testing import CliRunner

    from services.tasks.cli import commands
    broken = tmp_path / "plan.yaml"
    broken.write_text("campaign_id: w\ntitle: 寒假\nstarts_on: 2024-13-01\ntasks: []\n", encoding="utf-8")
    result = CliRunner().invoke(commands, ["check-plan", str(broken)])
    assert result.exit_code == 2 and "starts_on" in result.output
    shipped = Path(__file__).resolve().parents[2] / "deploy/plans/weihai-2024-winter.yaml"
    assert CliRunner().invoke(commands, ["check-plan", str(shipped)]).exit_code == 0


def line_of(text, needle):
    return next(n for n, l in enumerate(text.splitlines(), 1) if needle in l)


@pytest.mark.parametrize("zone", ["Asia", "Asia/" + "x" * 300])
def test_a_zone_directory_or_an_over_long_zone_is_a_field_error(zone):
    text = weihai_text().replace("timezone: Asia/Shanghai", f"timezone: {zone}")
    error = refusal(text)
    assert list(error.fields) == [f"line {line_of(text, 'timezone:')}: timezone"]
    assert "not a known time zone" in str(error)


def test_check_plan_refuses_a_zone_directory_with_exit_2(tmp_path):
    from click.testing import CliRunner

    from services.tasks.cli import commands
    plan = tmp_path / "plan.yaml"
    plan.write_text(weihai_text().replace("timezone: Asia/Shanghai", "timezone: Asia"),
                    encoding="utf-8")
    result = CliRunner().invoke(commands, ["check-plan", str(plan)])
    assert result.exit_code == 2 and "timezone" in result.output, result.output


ENFORCEMENT = """    measure:
      kind: enforcement_checks
      minimums: {unannounced: 1, day: 1, night: 1, joint: 1, random_sample: 1,
                 prepaid_fee: 1, advertising: 1, art_exam: 1}
"""


@pytest.mark.parametrize("measure", ["    measure: enforcement_checks\n",
                                     "    measure: {kind: enforcement_checks, kinds: [enforcement]}\n"])
def test_enforcement_checks_without_minimums_is_refused_naming_the_measure(measure):
    assert ENFORCEMENT in weihai_text()
    text = weihai_text().replace(ENFORCEMENT, measure)
    error = refusal(text)
    field = f"line {line_of(text, measure.strip())}: tasks[6].measure.minimums"
    assert list(error.fields) == [field]
    assert "required for measure enforcement_checks" in error.fields[field][0]


def test_minimums_of_zero_or_none_are_refused():
    text = weihai_text().replace("night: 1, joint: 1", "night: 0, joint: 1")
    assert "tasks[6].measure.minimums.night" in str(refusal(text).fields)
    text = weihai_text().replace(ENFORCEMENT, "    measure: {kind: enforcement_checks, minimums: {}}\n")
    assert "tasks[6].measure.minimums" in str(refusal(text).fields)


def test_min_exposed_of_zero_is_refused_with_its_line():
    text = weihai_text().replace("min_exposed: 1", "min_exposed: 0")
    error = refusal(text)
    assert list(error.fields) == [f"line {line_of(text, 'min_exposed: 0')}: tasks[7].measure.min_exposed"]


@pytest.mark.parametrize("campaign_id", ["w/371002", "x" * 41, '"w\\n"'])
def test_campaign_ids_hold_no_stream_separator_and_stay_short(campaign_id):
    text = weihai_text().replace("campaign_id: weihai-2024-winter", f"campaign_id: {campaign_id}")
    error = refusal(text)
    assert list(error.fields) == ["line 6: campaign_id"]
    assert "max 40" in str(error)
