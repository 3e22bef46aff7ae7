"""Belgian national register numbers (Rijksregisternummer / numéro de registre national).

Pure functions: no I/O, and the number never appears in a message, a log or an
exception raised here.

The rule. Eleven digits ``YYMMDD SSS CC``:

* ``YYMMDD`` the birth date. When the exact date was not known, the month and/or
  the day is ``00``; when the month is ``00`` the day digits carry no date (the
  register also uses them when a day's serials run out), so they are not checked.
  In the bis register the month is raised by 40 (sex known when the number was
  given) or by 20 (sex not known); ``20``/``40`` then mean an unknown month.
* ``SSS`` a serial among the people born that day: odd for men (001-997), even for
  women (002-998). ``000`` and ``999`` are never issued.
* ``CC`` the check: ``97 - (YYMMDDSSS mod 97)``. For people born from 2000 on it is
  computed on ``2YYMMDDSSS`` (2 000 000 000 + the nine digits). The two checks of
  one number always differ, so the one that matches tells the century.
"""
from __future__ import annotations

import calendar
import datetime

__all__ = [
    "InvalidNationalNumber",
    "birth_date",
    "century_from_check",
    "normalise",
    "validate",
]

_DIGITS = frozenset("0123456789")
# Punctuation people write the number with: "85.07.30-033.28", "850730 033 28".
_PUNCTUATION = frozenset(".-/")
_LOWEST_SERIAL, _HIGHEST_SERIAL = 1, 998
# Month offsets of the bis register: +20 when the sex was not known, +40 when it was.
_BIS_OFFSETS = (0, 20, 40)


class InvalidNationalNumber(ValueError):
    """The text is not a valid national register number.

    The message is the reason in plain English; it never repeats the number.
    """


def normalise(text: str) -> str:
    """The 11 digits of ``text``, without spaces, dots, dashes or slashes.

    Raises InvalidNationalNumber when anything else is in it or when it does not
    hold exactly 11 digits. It checks nothing more: see ``validate``.
    """
    if not isinstance(text, str):
        # An int would have lost the leading zero of everyone born in 2000-2009.
        raise TypeError("a national number must be given as text")
    digits = []
    for char in text:
        if char in _DIGITS:
            digits.append(char)
        elif not (char.isspace() or char in _PUNCTUATION):
            raise InvalidNationalNumber("must contain only digits, spaces, dots, dashes or slashes")
    if len(digits) != 11:
        raise InvalidNationalNumber("must have 11 digits")
    return "".join(digits)


def century_from_check(digits: str) -> int | None:
    """1900 or 2000, the century whose check matches ``digits`` (11 digits), or None.

    Only the check digits are considered here; ``validate`` checks the rest.
    """
    base, check = int(digits[:9]), int(digits[9:])
    if check == 97 - base % 97:
        return 1900
    if check == 97 - (2_000_000_000 + base) % 97:
        return 2000
    return None


def validate(text: str) -> str:
    """The normalised 11 digits of a valid number; InvalidNationalNumber otherwise."""
    digits = normalise(text)
    serial = int(digits[6:9])
    if not _LOWEST_SERIAL <= serial <= _HIGHEST_SERIAL:
        raise InvalidNationalNumber("the serial part is 000 or 999, which the register never issues")
    month = int(digits[2:4])
    if not any(0 <= month - offset <= 12 for offset in _BIS_OFFSETS):
        raise InvalidNationalNumber("the birth date part is not a valid date")
    century = century_from_check(digits)
    if century is None:
        raise InvalidNationalNumber("the check digits do not match")
    _birth_date_parts(digits, century)
    return digits


def birth_date(text: str) -> datetime.date | None:
    """The birth date a valid number holds, or None when its day or month is unknown.

    Raises InvalidNationalNumber as ``validate`` does.
    """
    digits = validate(text)
    year, month, day = _birth_date_parts(digits, century_from_check(digits))
    if month is None or day is None:
        return None
    return datetime.date(year, month, day)


def _birth_date_parts(digits: str, century: int) -> tuple[int, int | None, int | None]:
    """(year, month or None, day or None); InvalidNationalNumber if no such date can be."""
    year = century + int(digits[:2])
    coded_month, day = int(digits[2:4]), int(digits[4:6])
    month = coded_month % 20  # 0-12, 20-32 and 40-52 all come back to 0-12
    if month == 0:
        return year, None, None
    if day == 0:
        return year, month, None
    if day > calendar.monthrange(year, month)[1]:
        raise InvalidNationalNumber("the birth date part is not a valid date")
    return year, month, day
