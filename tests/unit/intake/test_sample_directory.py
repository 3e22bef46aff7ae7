"""deploy/intake/sample-directory.json: invented agency and staff data, clearly marked."""
import collections
import json
import re

import pytest

from shared.config import PROJECT_ROOT

PATH = PROJECT_ROOT / "deploy" / "intake" / "sample-directory.json"

# ISO 639-1 two-letter language codes.
ISO_639_1 = set(
    """
    aa ab ae af ak am an ar as av ay az ba be bg bi bm bn bo br bs ca ce ch co cr cs cu cv cy
    da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht
    hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky
    la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny
    oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss
    st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo
    za zh zu
    """.split()
)
PROFILES = {"social_assistant", "criminologist", "jurist", "coordinator"}
SLUG = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*")
AGENCY_CODES = {"apo", "dsr", "sab", "smbg", "wsw", "caw-brussel", "slaj-v"}


@pytest.fixture(scope="module")
def directory():
    return json.loads(PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def agencies(directory):
    return {agency["code"]: agency for agency in directory["agencies"]}


def test_it_is_marked_as_sample_data(directory):
    assert directory["sample"] is True
    assert list(directory)[:2] == ["sample", "notice"]
    notice = directory["notice"].lower()
    assert "sample" in notice and "invented" in notice
    for word in ("languages", "interpreters", "staff"):
        assert word in notice


def test_the_brussels_services_each_once_with_a_slug_code(directory, agencies):
    assert len(agencies) == len(directory["agencies"])
    assert set(agencies) == AGENCY_CODES
    for code, agency in agencies.items():
        assert SLUG.fullmatch(code)
        assert agency["name"].strip()
        assert isinstance(agency["telephone_interpreters"], bool)
    assert agencies["sab"]["name"] == "Sociale Actie van Brussel"


def test_languages_are_iso_639_1_codes_and_every_agency_offers_dutch_or_french(directory, agencies):
    for agency in agencies.values():
        assert agency["languages"] and set(agency["languages"]) <= ISO_639_1, agency["code"]
        assert len(set(agency["languages"])) == len(agency["languages"])
        assert {"nl", "fr"} & set(agency["languages"]), agency["code"]
    for member in directory["staff"]:
        assert member["languages"] and set(member["languages"]) <= ISO_639_1, member["user_id"]


def test_every_staff_member_belongs_to_an_agency_and_speaks_only_its_languages(directory, agencies):
    for member in directory["staff"]:
        assert member["agency"] in agencies, member["user_id"]
        assert set(member["languages"]) <= set(agencies[member["agency"]]["languages"]), member["user_id"]
        assert member["profile"] in PROFILES, member["user_id"]
        assert isinstance(member["active"], bool)
        assert member["display_name"].strip()


def test_user_ids_are_unique_slugs(directory):
    ids = [member["user_id"] for member in directory["staff"]]
    assert len(ids) == len(set(ids))
    assert all(SLUG.fullmatch(user_id) for user_id in ids)


def test_each_agency_has_two_to_four_staff_and_exactly_one_active_coordinator(directory, agencies):
    staff = collections.defaultdict(list)
    for member in directory["staff"]:
        staff[member["agency"]].append(member)
    for code in agencies:
        assert 2 <= len(staff[code]) <= 4, code
        coordinators = [m for m in staff[code] if m["profile"] == "coordinator"]
        assert len(coordinators) == 1, code
        assert coordinators[0]["active"], code


def test_the_cases_tests_rely_on_are_there(directory, agencies):
    assert any("ar" in m["languages"] and m["active"] and m["profile"] != "coordinator" for m in directory["staff"])
    assert any(not agency["telephone_interpreters"] for agency in agencies.values())
    assert any(agency["telephone_interpreters"] for agency in agencies.values())
    assert sum(not m["active"] for m in directory["staff"]) >= 1
