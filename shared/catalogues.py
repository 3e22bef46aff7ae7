"""Interface text in the person's language: a service's Babel catalogue
(``<locale dir>/<language>/LC_MESSAGES/messages.po``), read as it is in the
repository, so that no compiled file is kept in git."""
from __future__ import annotations

import gettext
import io
from functools import lru_cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po


@lru_cache(maxsize=None)
def translations(locale_dir: Path, language: str) -> gettext.GNUTranslations:
    with (locale_dir / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)
