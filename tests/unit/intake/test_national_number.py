"""Belgian national register numbers: what is accepted, what is refused and why.

Every number here is built from the published rule for these tests; none is a
real person's.
"""
import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.intake.national_number import (
    InvalidNationalNumber,
    birth_date,
    century_from_check,
    normalise,
    validate,
)

# 2 000 000 000 mod 97: what the "2" in front of the nine digits adds for people
# born from 2000 on.
POST_2000 = 2_000_000_000 % 97


def build(year, month, day, serial, bis=0):
    """The test's own generator, straight from the rule (not the module's check).

    YYMMDD (month + bis offset) + 3-digit serial + 97 - (nine digits mod 97), with
    2 000 000 000 added to the nine digits for people born from 2000 on.
    """
    base = f"{year % 100:02d}{month + bis:02d}{day:02d}{serial:03d}"
    nine = int(base) + (2_000_000_000 if year >= 2000 else 0)
    return f"{base}{97 - nine % 97:02d}"


def own_century(digits):
    """1900, 2000 or None, by the test's own arithmetic."""
    base, check = int(digits[:9]), int(digits[9:])
    if (base + check) % 97 == 0:
        return 1900
    if (base + POST_2000 + check) % 97 == 0:
        return 2000
    return None


def refusal(text):
    with pytest.raises(InvalidNationalNumber) as caught:
        validate(text)
    return str(caught.value)


# --- known-good numbers ---------------------------------------------------------

MAN_1985 = "85073003328"  # a man born 1985-07-30, serial 033
WOMAN_2003 = "03021412447"  # a woman born 2003-02-14, serial 124


def test_the_examples_follow_the_rule():
    assert build(1985, 7, 30, 33) == MAN_1985
    assert build(2003, 2, 14, 124) == WOMAN_2003


@pytest.mark.parametrize(
    "text",
    ["85.07.30-033.28", "85073003328", "85 07 30 033 28", "850730-033-28", " 850730/033.28 ", "85.07.30\u00a0033\t28"],
)
def test_a_man_born_in_1985_with_or_without_punctuation(text):
    assert normalise(text) == MAN_1985
    assert validate(text) == MAN_1985
    assert birth_date(text) == datetime.date(1985, 7, 30)
    assert century_from_check(MAN_1985) == 1900


@pytest.mark.parametrize("text", ["03.02.14-124.47", "03021412447", "030214 124 47"])
def test_a_woman_born_in_2003_the_check_computed_with_a_leading_2(text):
    assert validate(text) == WOMAN_2003
    assert birth_date(text) == datetime.date(2003, 2, 14)
    assert century_from_check(WOMAN_2003) == 2000


def test_the_highest_serial_for_women_998_is_issued():
    # Serials run 001-997 for men and 002-998 for women; only 000 and 999 never occur.
    assert birth_date(build(1985, 7, 30, 998)) == datetime.date(1985, 7, 30)


def test_the_29th_of_february_exists_in_2000_only_because_the_check_says_2000():
    assert birth_date(build(2000, 2, 29, 2)) == datetime.date(2000, 2, 29)
    assert refusal(build(1900, 2, 29, 2)) == "the birth date part is not a valid date"


@pytest.mark.parametrize(
    "year, month, day, expected",
    [
        (1985, 0, 0, None),  # birth date unknown but the year
        (1985, 7, 0, None),  # day unknown
        (1985, 0, 5, None),  # month unknown: the day digits are no date (counter overflow)
        (2001, 0, 0, None),
    ],
)
def test_an_unknown_month_or_day_is_accepted_without_a_birth_date(year, month, day, expected):
    number = build(year, month, day, 33)
    assert validate(number) == number
    assert birth_date(number) is expected


@pytest.mark.parametrize("bis", [20, 40])
def test_bis_register_months_map_back_to_the_real_month(bis):
    number = build(1985, 7, 30, 33, bis=bis)
    assert number[2:4] == f"{7 + bis}"
    assert birth_date(number) == datetime.date(1985, 7, 30)
    assert birth_date(build(2012, 12, 31, 34, bis=bis)) == datetime.date(2012, 12, 31)


@pytest.mark.parametrize("bis", [20, 40])
def test_a_bis_number_without_a_month_has_no_birth_date(bis):
    assert birth_date(build(1985, 0, 0, 33, bis=bis)) is None
    assert birth_date(build(1985, 0, 12, 33, bis=bis)) is None


# --- refusals, each with its reason -----------------------------------------------


@pytest.mark.parametrize(
    "text, reason",
    [
        ("8507300332", "must have 11 digits"),
        ("850730033281", "must have 11 digits"),
        ("", "must have 11 digits"),
        ("85.07.30-033", "must have 11 digits"),
        ("85O73003328", "must contain only digits, spaces, dots, dashes or slashes"),
        ("85073003328a", "must contain only digits, spaces, dots, dashes or slashes"),
        ("\u0668\u0665073003328", "must contain only digits, spaces, dots, dashes or slashes"),
        ("85073003329", "the check digits do not match"),
        ("85073003382", "the check digits do not match"),
        (build(1985, 13, 40, 33), "the birth date part is not a valid date"),
        (build(1990, 4, 31, 1), "the birth date part is not a valid date"),
        (build(1985, 7, 32, 33), "the birth date part is not a valid date"),
        (build(1985, 7, 30, 33, bis=26), "the birth date part is not a valid date"),  # month 33
        (build(1985, 13, 1, 33, bis=40), "the birth date part is not a valid date"),  # month 53
        (build(1985, 7, 30, 0), "the serial part is 000 or 999, which the register never issues"),
        (build(1985, 7, 30, 999), "the serial part is 000 or 999, which the register never issues"),
    ],
)
def test_a_refusal_gives_its_reason_and_never_the_number(text, reason):
    with pytest.raises(InvalidNationalNumber) as caught:
        validate(text)
    assert str(caught.value) == reason
    digits = "".join(c for c in text if c.isdigit())
    if digits:
        for shown in (str(caught.value), repr(caught.value)):
            assert digits[:6] not in shown and digits[-5:] not in shown
    assert isinstance(caught.value, ValueError)
    with pytest.raises(InvalidNationalNumber):
        birth_date(text)


def test_normalise_refuses_what_is_not_eleven_digits():
    with pytest.raises(InvalidNationalNumber, match="must have 11 digits"):
        normalise("85.07.30")


def test_a_number_must_be_given_as_text():
    with pytest.raises(TypeError):
        validate(3021412447)  # 03021412447 as an int: the leading zero is gone


# --- properties -------------------------------------------------------------------

RENDERINGS = [
    lambda d: d,
    lambda d: f"{d[0:2]}.{d[2:4]}.{d[4:6]}-{d[6:9]}.{d[9:11]}",
    lambda d: f"{d[0:6]} {d[6:9]} {d[9:11]}",
]


@settings(max_examples=200, deadline=None)
@given(
    born=st.dates(datetime.date(1900, 1, 1), datetime.date(2099, 12, 31)),
    serial=st.integers(1, 998),
    bis=st.sampled_from([0, 20, 40]),
    render=st.sampled_from(RENDERINGS),
)
def test_every_number_built_by_the_rule_is_accepted_with_its_birth_date(born, serial, bis, render):
    number = build(born.year, born.month, born.day, serial, bis)
    assert validate(render(number)) == number
    assert birth_date(render(number)) == born


def mutations(digits):
    """(description, mutated) for every single-digit change and every swap of two
    adjacent different digits."""
    for i, old in enumerate(digits):
        for new in "0123456789":
            if new != old:
                yield ("change", i, int(new) - int(old)), digits[:i] + new + digits[i + 1 :]
    for i in range(len(digits) - 1):
        if digits[i] != digits[i + 1]:
            yield ("swap", i), digits[:i] + digits[i + 1] + digits[i] + digits[i + 2 :]


# Mod 97 catches every single-digit change and every swap of adjacent different
# digits *within one century*: neither ever moves the sum "nine digits + check" by a
# multiple of 97 (test_mod_97_catches_every_single_error_within_a_century proves it).
# But the two centuries' checks differ by 2 000 000 000 mod 97 = 68, and a few
# mutations move the sum by exactly +-68, landing on a valid number of the *other*
# century. That is a real collision of the published rule, not a flaw here:
#   * the year's second digit changed by 6, checks kept: 2 000 000 000 - 6 * 10**7
#     = 97 * 2 * 10**7, so 1987-07-30 and 2081-07-30 share their check digits;
#   * the two month digits swapped (02 <-> 20, 24 <-> 42): 20 and 42 are bis months;
#   * the two day digits swapped where they differ by 6 (06 <-> 60, ...): only
#     possible when the month is unknown, as the day is then no date.
# The property below therefore says: a mutation is refused, or it is one of these
# collisions and the number is then read in the other century.
COLLISIONS = {("change", 1, 6), ("change", 1, -6), ("swap", 2), ("swap", 4)}


@settings(max_examples=200, deadline=None)
@given(
    born=st.dates(datetime.date(1900, 1, 1), datetime.date(2099, 12, 31)),
    serial=st.integers(1, 998),
    bis=st.sampled_from([0, 20, 40]),
)
def test_a_single_digit_change_or_adjacent_swap_is_refused(born, serial, bis):
    number = build(born.year, born.month, born.day, serial, bis)
    century = own_century(number)
    assert century == (1900 if born.year < 2000 else 2000)
    for how, mutated in mutations(number):
        try:
            validate(mutated)
        except InvalidNationalNumber:
            continue
        assert how in COLLISIONS, (how, born, serial, bis)
        assert own_century(mutated) not in (None, century)
        assert century_from_check(mutated) == own_century(mutated)


def test_mod_97_catches_every_single_error_within_a_century():
    """The arithmetic behind the property, over every position and every digit.

    A number is valid in a century when (nine digits [+ 2 000 000 000] + check) is a
    multiple of 97. Digit i adds digit * WEIGHT[i] to that sum, so a mutation moves it
    by a known amount; it stays valid in the same century only if that amount is a
    multiple of 97, and crosses to the other century only if it is +-68 mod 97.
    """
    weight = [10 ** (8 - i) for i in range(9)] + [10, 1]
    crossings = set()
    for i in range(11):
        for step in range(-9, 10):
            if step:
                moved = step * weight[i] % 97
                assert moved != 0
                if moved in (POST_2000, 97 - POST_2000):
                    crossings.add(("change", i, step))
    for i in range(10):
        for a in range(10):
            for b in range(10):
                if a != b:
                    moved = (b - a) * (weight[i] - weight[i + 1]) % 97
                    assert moved != 0
                    if moved in (POST_2000, 97 - POST_2000):
                        crossings.add(("swap", i))
    assert crossings == COLLISIONS


def test_the_collisions_across_centuries_are_real():
    man_1987 = build(1987, 7, 30, 33)
    other = man_1987[:1] + "1" + man_1987[2:]  # 7 - 6: same check digits
    assert other == build(2081, 7, 30, 33)
    assert birth_date(other) == datetime.date(2081, 7, 30)

    swapped = WOMAN_2003[:2] + "20" + WOMAN_2003[4:]  # month 02 -> 20, a bis month
    assert century_from_check(swapped) == 1900
    assert birth_date(swapped) is None


def test_the_two_checks_of_a_number_never_coincide():
    # So a valid number has exactly one century.
    assert POST_2000 != 0
