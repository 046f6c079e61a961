"""Dates are Beijing dates: a deadline or a licence ends at midnight in Weihai, not in Greenwich."""
from datetime import date, datetime, timezone

from shared.clock import FixedClock


def test_today_is_the_beijing_date_even_while_utc_is_still_on_yesterday():
    seven_in_the_morning_in_weihai = datetime(2024, 1, 19, 23, 0, tzinfo=timezone.utc)
    assert FixedClock(seven_in_the_morning_in_weihai).today() == date(2024, 1, 20)
    assert FixedClock(datetime(2024, 1, 20, 15, 59, tzinfo=timezone.utc)).today() == date(2024, 1, 20)
    assert FixedClock(datetime(2024, 1, 20, 16, 0, tzinfo=timezone.utc)).today() == date(2024, 1, 21)
