"""All interface text of the pages comes from the Babel catalogues, complete in Dutch,
French and English: every message the templates and views mark has a translation in
each, none is left over, and no template shows text outside ``_()``."""
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from services.gateway.pages import i18n

PAGES = Path(i18n.__file__).parent
TEMPLATES = PAGES / "templates"
METHODS = [("templates/**.html", "jinja2.ext:babel_extract"), ("**.py", "python")]
OPTIONS = {"templates/**.html": {"extensions": "jinja2.ext.i18n", "trim_blocks": "true", "lstrip_blocks": "true"}}
# What may stand between tags outside _(): punctuation, never a word.
PUNCTUATION = re.compile(r"^[\s\-–—:;,.·|()/]*$")
ENTITY = re.compile(r"&[a-z]+;|&#[0-9]+;")
TEXT_ATTRIBUTES = re.compile(r'\b(title|alt|placeholder|aria-label|label)="([^"]*)"')


def extracted() -> dict:
    found = {}
    for filename, lineno, message, _, _ in extract_from_dir(str(PAGES), method_map=METHODS, options_map=OPTIONS):
        found.setdefault(message, f"{filename}:{lineno}")
    return found


@pytest.fixture(scope="module")
def messages() -> dict:
    return extracted()


def catalogue(language: str):
    """The language's catalogues (one file per area), as one; a message in two files fails."""
    merged, twice = None, []
    for path in sorted((i18n.LOCALE_DIR / language / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as po:
            read = read_po(po, locale=language)
        if merged is None:
            merged = read
            continue
        for entry in read:
            if entry.id:
                if merged.get(entry.id[0] if isinstance(entry.id, tuple) else entry.id) is not None:
                    twice.append(f"{entry.id!r} ({path.name})")
                merged[entry.id] = entry
    assert not twice, f"{language} messages in two catalogue files: " + "; ".join(twice)
    return merged


def test_the_extraction_finds_the_templates_and_the_views(messages):
    assert "Sign in" in messages and "Record an intervention" in messages  # templates
    assert "The username or the password is wrong." in messages  # a view
    assert "A listening ear" in messages  # a closed list's label
    assert len(messages) > 200


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_every_message_has_a_translation_in_each_catalogue_and_none_is_left_over(messages, language):
    read = catalogue(language)
    missing, placeholders = [], []
    for message, where in messages.items():
        entry = read.get(message[0] if isinstance(message, tuple) else message)
        strings = ([] if entry is None else list(entry.string) if isinstance(entry.string, tuple) else [entry.string])
        if not strings or not all(s.strip() for s in strings):
            missing.append(f"{message!r} ({where})")
            continue
        wanted = set(re.findall(r"%\((\w+)\)s", message if isinstance(message, str) else message[1]))
        if any(set(re.findall(r"%\((\w+)\)s", s)) != wanted for s in strings):
            placeholders.append(repr(message))
    assert not missing, f"no {language} translation for: " + "; ".join(missing)
    assert not placeholders, f"{language} translations that change the placeholders: " + "; ".join(placeholders)
    used = {m[0] if isinstance(m, tuple) else m for m in messages}
    stale = [entry.id for entry in read if entry.id and (entry.id[0] if isinstance(entry.id, tuple) else entry.id)
             not in used]
    assert not stale, f"{language} catalogue holds messages no page uses: {stale}"


def visible_text(source: str) -> list[str]:
    """The text a template shows outside ``_()`` and outside any expression."""
    text = re.sub(r"{#.*?#}", " ", source, flags=re.S)
    text = re.sub(r"{%.*?%}", " ", text, flags=re.S)
    text = re.sub(r"{{.*?}}", " ", text, flags=re.S)
    shown = []
    for _, value in TEXT_ATTRIBUTES.findall(text):
        if value.strip():
            shown.append(value)
    text = re.sub(r"<[^>]*>", " ", text, flags=re.S)
    text = re.sub(r'[\w-]+="[^"]*"', " ", text)  # a macro's attributes, written apart from their tag
    text = ENTITY.sub(" ", text)
    shown += [piece.strip() for piece in re.split(r"\s{2,}|\n", text) if not PUNCTUATION.match(piece)]
    return shown


@pytest.mark.parametrize("template", sorted(p.name for p in TEMPLATES.glob("*.html")))
def test_no_template_shows_text_outside_the_catalogues(template):
    assert visible_text((TEMPLATES / template).read_text()) == []


def test_the_check_for_text_outside_the_catalogues_catches_it():
    assert visible_text('<p>{{ _("Fine") }}</p><p>Not fine</p>') == ["Not fine"]
    assert visible_text('<nav aria-label="Main">{{ _("x") }}</nav>') == ["Main"]
    assert visible_text('<nav aria-label="{{ _(\'Main\') }}"> – </nav>') == []
