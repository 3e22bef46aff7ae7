"""Interface text in the person's language: a service's Babel catalogues
(``<locale dir>/<language>/LC_MESSAGES/*.po``: ``messages.po``, and one file per area
where a service has several), read as they are in the repository, so that no compiled
file is kept in git."""
from __future__ import annotations

import gettext
import io
from functools import lru_cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po


@lru_cache(maxsize=None)
def translations(locale_dir: Path, language: str) -> gettext.GNUTranslations:
    catalog = None
    for path in sorted((locale_dir / language / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as po:
            read = read_po(po, locale=language)
        if catalog is None:
            catalog = read
        else:
            for message in read:
                if message.id:
                    catalog[message.id] = message
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)
