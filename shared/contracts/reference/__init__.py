"""Reference data shared by the services: the intervention domains and methods.

``intervention_domains.json`` beside this file holds the catalogue with its
version, so its Dutch, French and English labels can be corrected without a code
change. Codes are stable English slugs and never change; a label correction is a
new ``version`` of the file. The order of the file is the order to show them in.
"""
from __future__ import annotations

import copy
import json
import re
from pathlib import Path

__all__ = ["CATALOGUE_VERSION", "LANGUAGES", "intervention_domains", "methods"]

CATALOGUE_FILE = Path(__file__).with_name("intervention_domains.json")
LANGUAGES = ("nl", "fr", "en")
_SLUG = re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)*")


def _load(path: Path) -> dict:
    catalogue = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(catalogue.get("version"), int):
        raise ValueError(f"{path.name}: 'version' must be an integer")
    for part in ("domains", "methods"):
        for code, labels in catalogue[part].items():
            if not _SLUG.fullmatch(code):
                raise ValueError(f"{path.name}: {part} code {code!r} is not a lower-case slug")
            missing = [lang for lang in LANGUAGES if not str(labels.get(lang, "")).strip()]
            if missing:
                raise ValueError(f"{path.name}: {part} {code!r} has no label in {', '.join(missing)}")
    return catalogue


_CATALOGUE = _load(CATALOGUE_FILE)

CATALOGUE_VERSION: int = _CATALOGUE["version"]


def intervention_domains() -> dict[str, dict[str, str]]:
    """code -> {"nl": ..., "fr": ..., "en": ...}, in the catalogue's order (a copy)."""
    return copy.deepcopy(_CATALOGUE["domains"])


def methods() -> dict[str, dict[str, str]]:
    """code -> {"nl": ..., "fr": ..., "en": ...} for the ways of intervening (a copy)."""
    return copy.deepcopy(_CATALOGUE["methods"])
