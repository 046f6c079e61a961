"""Dates are Beijing dates: a deadline or a licence ends at midnight in Weihai, not in Greenwich."""
from datetime import date, datetime, timezone

from shared.clock import FixedClock


def test_today_is_the_beijing_date_even_while_utc_is_still_on_yesterday():
    seven_in_the_morning_in_weihai = datetime(2024, 1, 19, 23, 0, tzinfo=timezone.utc)
    assert FixedClock(seven_in_the_morning_in_weihai).today() == date(2024, 1, 20)
    assert FixedClock(datetime(2024, 1, 20, 15, 59, tzinfo=timezone.utc)).today() == date(2024, 1, 20)
    assert FixedClock(datetime(2024, 1, 20, 16, 0, tzinfo=timezone.utc)).today() == date(2024, 1, 21)


def test_after_the_campaign_the_demo_clock_runs_on_so_later_acts_get_later_times(tmp_path):
    from datetime import timedelta

    from shared.clock import FileClock, utcnow
    from otg.demo.clock import DemoClock, day
    clock = DemoClock(tmp_path / "clock")
    clock.set(day(27, 10))
    assert FileClock(clock.path).now() == day(27, 10)  # during the campaign: set by the demo
    clock.run_on()
    text = clock.path.read_text()
    started = datetime.fromisoformat(text.split(" running since ")[1])
    clock.path.write_text(text.replace(started.isoformat(),
                                       (started - timedelta(minutes=90)).isoformat()))
    later = FileClock(clock.path).now()
    assert day(27, 11, 30) <= later < day(27, 11, 30) + (utcnow() - started) + timedelta(minutes=1)
    clock.run_on()  # a restarted demo keeps the clock that runs
    assert FileClock(clock.path).now() >= later
