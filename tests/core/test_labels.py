import datetime as dt

from connectors.labels import label_date

d = dt.date


def test_two_digit_year_takes_the_century_of_the_booking_date():
    assert label_date(31, 12, "24", d(2025, 1, 2)) == d(2024, 12, 31)
    assert label_date(13, 6, "2022", d(2022, 6, 15)) == d(2022, 6, 13)


def test_no_year_means_the_nearest_day_on_or_before_booking():
    assert label_date(30, 12, None, d(2026, 1, 3)) == d(2025, 12, 30)
    assert label_date(10, 9, None, d(2026, 9, 11)) == d(2026, 9, 10)


def test_implausible_dates_are_label_text():
    assert label_date(1, 1, "22", d(2022, 6, 15)) is None      # five months before booking
    assert label_date(20, 6, "22", d(2022, 6, 15)) is None     # after booking
    assert label_date(31, 2, None, d(2026, 3, 5)) is None      # no such day
    assert label_date(13, 6, "22", None) == d(2022, 6, 13)     # pending: nothing to check against
