"""GS1 element strings from a carton's DataMatrix: GTIN check digit, expiry with day 00 and the
century window, lot; both the bracketed (HRI) and the raw FNC1-separated form."""

from __future__ import annotations

from datetime import date

import pytest

from app.domain.gs1 import Gs1Error, expiry_date, gtin_check_ok, parse_gs1

TODAY = date(2026, 11, 30)


def test_bracketed_form_gives_gtin_expiry_lot_and_serial() -> None:
    label = parse_gs1("(01)05391526930052(17)270915(10)C1234A(21)SN0042", TODAY)
    assert label.gtin == "05391526930052"
    assert label.expiry == date(2027, 9, 15)
    assert label.lot == "C1234A"
    assert label.serial == "SN0042"


def test_raw_fnc1_form_reads_the_same_as_the_bracketed_one() -> None:
    hri = parse_gs1("(01)05391526930052(17)270900(10)C1234A(21)SN0042", TODAY)
    # fixed-length 01 and 17 need no separator; the variable lot ends at GS
    raw = parse_gs1("]d201053915269300521727090010C1234A\x1d21SN0042", TODAY)
    assert raw == hri
    assert parse_gs1("\x1d010539152693005210C1234A\x1d17270900", TODAY).expiry == hri.expiry


def test_day_00_is_the_last_day_of_the_month() -> None:
    assert expiry_date("270900", TODAY) == date(2027, 9, 30)
    assert expiry_date("280200", TODAY) == date(2028, 2, 29)  # a leap year
    assert expiry_date("270200", TODAY) == date(2027, 2, 28)
    assert expiry_date("261200", TODAY) == date(2026, 12, 31)


def test_two_digit_year_lies_within_minus_49_plus_50_years_of_today() -> None:
    assert expiry_date("760101", TODAY).year == 2076  # +50
    assert expiry_date("770101", TODAY).year == 1977  # +51 → the century before
    assert expiry_date("990101", TODAY).year == 1999
    assert expiry_date("000101", TODAY).year == 2000
    assert expiry_date("770101", date(2051, 6, 1)).year == 2077
    assert expiry_date("010101", date(2051, 6, 1)).year == 2101  # −50 → the next century
    assert expiry_date("020101", date(2051, 6, 1)).year == 2002  # −49 stays


def test_check_digit() -> None:
    assert gtin_check_ok("05391526930052")
    assert not gtin_check_ok("05391526930053")
    assert gtin_check_ok("4006381333931")  # an EAN-13
    with pytest.raises(Gs1Error, match="check digit"):
        parse_gs1("(01)05391526930053(17)270900(10)C1234A", TODAY)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("(17)270900(10)C1234A", "no product number"),
        ("", "empty"),
        ("(01)0539152693005(17)270900", "14 characters"),  # a digit missing
        ("(01)05391526930052(17)271300", "no month 13"),
        ("(01)05391526930052(17)270231", "no day 31"),
        ("(01)05391526930052(17)2709", "6 characters"),
        ("(01)05391526930052(10)", "empty"),
        ("(01)05391526930052)(10)X", "brackets"),
        ("hello", "unknown GS1 field"),
        ("0105391526930052172709", "cut short"),
        ("(01)05391526930052(10)" + "A" * 21, "20 characters"),
    ],
)
def test_malformed_codes_say_what_is_wrong(text: str, words: str) -> None:
    with pytest.raises(Gs1Error, match=words):
        parse_gs1(text, TODAY)


def test_expiry_and_lot_may_be_missing_but_not_the_gtin() -> None:
    label = parse_gs1("(01)05391526930052", TODAY)
    assert (label.expiry, label.lot) == (None, "")
