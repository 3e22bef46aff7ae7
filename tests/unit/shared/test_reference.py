"""The intervention domains and methods, as versioned reference data."""
import json
import re

import pytest

from shared.contracts import reference

SLUG = re.compile(r"[a-z]+(_[a-z]+)*")

DOMAINS = [
    "judicial_situation",
    "housing",
    "work",
    "education_training",
    "income_debts",
    "administration",
    "residence_status",
    "physical_health",
    "addiction",
    "relations_network",
    "psychosocial_wellbeing",
    "leisure_participation",
]
METHODS = [
    "listening_support",
    "information_guidance",
    "assistance_contacts",
    "relational_network",
    "referral_coordination",
]


def test_twelve_domains_and_five_methods_with_their_stable_codes_in_order():
    assert list(reference.intervention_domains()) == DOMAINS
    assert list(reference.methods()) == METHODS


@pytest.mark.parametrize("table", [reference.intervention_domains, reference.methods])
def test_every_entry_has_a_dutch_french_and_english_label(table):
    for code, labels in table().items():
        assert set(labels) == {"nl", "fr", "en"}, code
        assert all(isinstance(label, str) and label.strip() == label and label for label in labels.values()), code


@pytest.mark.parametrize("table", [reference.intervention_domains, reference.methods])
def test_codes_are_lower_case_slugs(table):
    for code in table():
        assert SLUG.fullmatch(code), code


def test_labels_from_the_services_own_words():
    domains = reference.intervention_domains()
    assert domains["residence_status"] == {"nl": "Verblijfsstatuut", "fr": "Droit de séjour", "en": "Residence status"}
    assert domains["addiction"]["fr"] == "Assuétudes"
    assert reference.methods()["information_guidance"]["nl"] == "Informeren, begeleiden en opvolgen"


def test_the_version_is_read_from_the_file():
    on_disk = json.loads(reference.CATALOGUE_FILE.read_text(encoding="utf-8"))
    assert reference.CATALOGUE_VERSION == on_disk["version"] >= 1
    assert isinstance(reference.CATALOGUE_VERSION, int)


def test_callers_get_copies():
    reference.intervention_domains()["housing"]["nl"] = "changed"
    reference.methods().pop("listening_support")
    assert reference.intervention_domains()["housing"]["nl"] == "Huisvesting"
    assert "listening_support" in reference.methods()


def test_a_broken_catalogue_file_is_refused(tmp_path):
    good = json.loads(reference.CATALOGUE_FILE.read_text(encoding="utf-8"))
    broken = dict(good, domains=dict(good["domains"], housing={"nl": "Huisvesting", "fr": "Logement"}))
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps(broken), encoding="utf-8")
    with pytest.raises(ValueError, match="housing.*en"):
        reference._load(path)
    path.write_text(json.dumps(dict(good, methods={"Not A Slug": good["methods"]["listening_support"]})))
    with pytest.raises(ValueError, match="slug"):
        reference._load(path)
