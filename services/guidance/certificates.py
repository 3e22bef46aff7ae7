"""The attendance certificate (aanwezigheidsattest, attestation de présence): by
default the only thing a judicial actor receives. It states that the person came,
on which dates, and nothing about what was said (professional secrecy)."""
from __future__ import annotations

import datetime as dt

TEMPLATES = {
    "nl": (
        "AANWEZIGHEIDSATTEST\n\n"
        "De dienst {agency} verklaart dat {person} aanwezig was op de volgende data:\n"
        "{dates}\n\n"
        "Dit attest vermeldt enkel de aanwezigheid en niets over de inhoud van de gesprekken "
        "(beroepsgeheim).\n\n"
        "Opgemaakt te Brussel op {issued_on}.\n"
        "Referentie: {reference}\n"
    ),
    "fr": (
        "ATTESTATION DE PRÉSENCE\n\n"
        "Le service {agency} atteste que {person} s'est présenté(e) aux dates suivantes :\n"
        "{dates}\n\n"
        "Cette attestation mentionne uniquement la présence, et rien du contenu des entretiens "
        "(secret professionnel).\n\n"
        "Fait à Bruxelles le {issued_on}.\n"
        "Référence : {reference}\n"
    ),
}


def render(language: str, agency: str, person: str, dates: list[dt.date], issued_on: dt.date, reference: str) -> str:
    """Plain text, ready to print; dates as dd/mm/yyyy, as written in both languages."""
    listed = "\n".join(f"  - {day:%d/%m/%Y}" for day in dates)
    return TEMPLATES[language].format(
        agency=agency.upper(), person=person, dates=listed, issued_on=f"{issued_on:%d/%m/%Y}", reference=reference
    )
