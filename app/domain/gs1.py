"""GS1 element strings as a carton's DataMatrix carries them (issue #9): GTIN (AI 01), expiry
(AI 17) and lot (AI 10), so a scan fills product, lot and expiry without typing.

Pure: the decoder (zxing-cpp, app/imaging/carton_code.py) hands over text in one of two forms —
the human-readable one, "(01)05391526930052(17)270900(10)C1234A", or the raw one, AIs run
together with a GS (FNC1, 0x1D) after each variable-length field, possibly behind the "]d2"
symbology identifier. Both parse to the same `Gs1Label`.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date

GS = "\x1d"  # FNC1 as a field separator in the raw form


class Gs1Error(ValueError):
    """A code that is not a GS1 element string FaceChart can use; the message is for people."""


@dataclass(frozen=True, slots=True)
class Gs1Label:
    gtin: str  # 14 digits, check digit verified
    expiry: date | None
    lot: str
    serial: str = ""
    fields: dict[str, str] = field(default_factory=dict, compare=False)  # every AI read


# How many digits the AI itself has, by its first two digits (GS1 General Specifications,
# figure 3.2-1); anything not listed is rare on a medicine carton and is refused as unknown.
_AI_DIGITS: dict[str, int] = {
    **dict.fromkeys(("00", "01", "02", "10", "11", "12", "13", "15", "16", "17"), 2),
    **dict.fromkeys(("20", "21", "22", "30", "37"), 2),
    **dict.fromkeys(("23", "24", "25", "40", "41", "42", "71"), 3),
    **dict.fromkeys(("31", "32", "33", "34", "35", "36", "39", "43", "70", "72", "80"), 4),
    **dict.fromkeys(("81", "82"), 4),
    **{str(n): 2 for n in range(90, 100)},
}
# Data of a predefined length: no separator follows it in the raw form.
_FIXED: dict[str, int] = {
    "00": 18, "01": 14, "02": 14, "11": 6, "12": 6, "13": 6, "15": 6, "16": 6, "17": 6,
    "20": 2, "31": 6, "32": 6, "33": 6, "34": 6, "35": 6, "36": 6, "41": 13,
}  # fmt: skip
_DATE_AIS = ("11", "12", "13", "15", "16", "17")
_HRI = re.compile(r"\((\d{2,4})\)([^()]*)")


def gtin_check_ok(gtin: str) -> bool:
    """The GS1 mod-10 check digit (weights 3,1,3,… from the right, check digit excluded)."""
    if not gtin.isdigit() or len(gtin) not in (8, 12, 13, 14):
        return False
    body, check = gtin[:-1], int(gtin[-1])
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10 == check


def expiry_date(yymmdd: str, today: date) -> date:
    """AI 17's YYMMDD: day 00 means the last day of that month; the century is the one that
    puts the year within −49..+50 years of today (GS1 General Specifications 7.12)."""
    if len(yymmdd) != 6 or not yymmdd.isdigit():
        raise Gs1Error(f"The expiry {yymmdd!r} is not six digits (YYMMDD).")
    yy, mm, dd = int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:])
    diff = yy - today.year % 100
    century = today.year // 100 * 100
    if diff > 50:
        century -= 100
    elif diff < -49:
        century += 100
    year = century + yy
    if not 1 <= mm <= 12:
        raise Gs1Error(f"The expiry {yymmdd} has no month {mm:02d}.")
    last = calendar.monthrange(year, mm)[1]
    if dd == 0:
        dd = last
    if dd > last:
        raise Gs1Error(f"The expiry {yymmdd} has no day {dd:02d} in that month.")
    return date(year, mm, dd)


def _ai_of(text: str, pos: int) -> str:
    digits = _AI_DIGITS.get(text[pos : pos + 2])
    if digits is None or not text[pos : pos + digits].isdigit():
        raise Gs1Error(f"The code holds an unknown GS1 field at {text[pos : pos + 4]!r}.")
    return text[pos : pos + digits]


def _split_raw(text: str) -> list[tuple[str, str]]:
    for prefix in ("]d2", "]C1", "]Q3", "]e0", GS):
        text = text.removeprefix(prefix)
    out: list[tuple[str, str]] = []
    pos = 0
    while pos < len(text):
        if text[pos] == GS:
            pos += 1
            continue
        ai = _ai_of(text, pos)
        pos += len(ai)
        fixed = _FIXED.get(ai[:2])
        if fixed is not None:
            value = text[pos : pos + fixed]
            if len(value) != fixed or GS in value:
                raise Gs1Error(f"GS1 field ({ai}) is cut short: {fixed} characters expected.")
            pos += fixed
        else:
            end = text.find(GS, pos)
            end = len(text) if end < 0 else end
            value, pos = text[pos:end], end
        out.append((ai, value))
    return out


def split_fields(text: str) -> list[tuple[str, str]]:
    """The (AI, value) pairs of an element string in either form, in order."""
    text = text.strip()
    if not text:
        raise Gs1Error("The code is empty.")
    if text.startswith("("):
        pairs = _HRI.findall(text)
        if "".join(f"({a}){v}" for a, v in pairs) != text:
            raise Gs1Error("The code is not a GS1 element string (its brackets do not match).")
        return [(a, v) for a, v in pairs]
    return _split_raw(text)


def parse_gs1(text: str, today: date) -> Gs1Label:
    """A carton's GTIN, expiry and lot from its element string; Gs1Error says what is wrong."""
    fields: dict[str, str] = {}
    for ai, value in split_fields(text):
        if ai in fields and fields[ai] != value:
            raise Gs1Error(f"The code gives field ({ai}) twice with different values.")
        fixed = _FIXED.get(ai[:2])
        if fixed is not None and len(value) != fixed:
            raise Gs1Error(f"GS1 field ({ai}) should have {fixed} characters, not {len(value)}.")
        if not value:
            raise Gs1Error(f"GS1 field ({ai}) is empty.")
        fields[ai] = value
    gtin = fields.get("01")
    if gtin is None:
        raise Gs1Error("The code has no product number (GTIN, field 01): it is not a carton's.")
    if not gtin_check_ok(gtin):
        raise Gs1Error(f"The product number {gtin} fails its check digit: scan it again.")
    expiry = expiry_date(fields["17"], today) if "17" in fields else None
    for ai in _DATE_AIS:  # other dates must at least be dates
        if ai != "17" and ai in fields:
            expiry_date(fields[ai], today)
    lot = fields.get("10", "")
    if len(lot) > 20:
        raise Gs1Error("The lot number is longer than GS1's 20 characters.")
    return Gs1Label(gtin, expiry, lot, fields.get("21", ""), fields)
