"""The subject-access document (GDPR art. 15): what every service holds about a
client, assembled by the gateway from each service's part (shared.subject_access),
as JSON or as a text the client reads, in Dutch, French or English.

Field names stay as the platform's contracts name them; the headings, the rule on
what is withheld, and the dates are the client's language's.
"""
from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

LANGUAGES = ("nl", "fr", "en")
BRUSSELS = ZoneInfo("Europe/Brussels")

TEXT = {
    "nl": {
        "title": "Inzage in uw gegevens (AVG art. 15)", "client": "Dossier", "produced": "Opgemaakt op",
        "by": "door", "rule": "Wat over andere personen gaat (wie er in uw netwerk is en wat zij zeiden, wie aan "
        "een casusoverleg deelnam, de contactgegevens van hulpverleners) is weggelaten, zoals artikel 15(4) vraagt. "
        "Al het andere dat het platform over u bijhoudt, staat hieronder.",
        "nothing": "niets", "withheld": "weggelaten: over een andere persoon",
        "services": {"intake": "Onthaal", "guidance": "Begeleiding", "referrals": "Doorverwijzingen",
                     "notifications": "Berichten", "audit": "Audit"},
    },
    "fr": {
        "title": "Accès à vos données (RGPD art. 15)", "client": "Dossier", "produced": "Établi le", "by": "par",
        "rule": "Ce qui concerne d'autres personnes (qui fait partie de votre réseau et ce qu'elles ont dit, qui "
        "a participé à une concertation, les coordonnées des intervenants) est omis, comme le demande l'article "
        "15(4). Tout le reste de ce que la plateforme garde à votre sujet figure ci-dessous.",
        "nothing": "rien", "withheld": "omis : concerne une autre personne",
        "services": {"intake": "Accueil", "guidance": "Accompagnement", "referrals": "Orientations",
                     "notifications": "Messages", "audit": "Audit"},
    },
    "en": {
        "title": "Access to your data (GDPR art. 15)", "client": "File", "produced": "Produced on", "by": "by",
        "rule": "What concerns other people (who is in your network and what they said, who took part in a case "
        "conference, professionals' contact details) is left out, as article 15(4) requires. Everything else the "
        "platform keeps about you is below.",
        "nothing": "nothing", "withheld": "left out: about another person",
        "services": {"intake": "Intake", "guidance": "Guidance", "referrals": "Referrals",
                     "notifications": "Messages", "audit": "Audit"},
    },
}
WITHHELD = "withheld: about another person"  # as shared.subject_access marks it


def assemble(call, actor: dict, client_id: str, language: str | None) -> dict | None:
    """The document from every service's part (each checks who asks and records the
    read), in ``language`` or the client's preferred one; None for no such client.
    ``call(service, rpc, payload, precondition)`` is the gateway's."""
    from shared import config

    payload = {"actor": actor, "client_id": client_id}
    parts = {service: call(service, "subject_access", payload, None) for service in config.SERVICES}
    if not parts["intake"]:
        return None
    return document(client_id, parts, language or preferred_language(parts), actor, dt.datetime.now(dt.timezone.utc))


def document(client_id: str, parts: dict[str, list], language: str, actor: dict, now: dt.datetime) -> dict:
    return {"client_id": client_id, "language": language, "produced_at": now.isoformat(),
            "produced_by": {k: actor[k] for k in ("user_id", "role", "agency")},
            "rule": TEXT[language]["rule"], "services": parts}


def preferred_language(parts: dict[str, list]) -> str:
    """The language the client prefers, when the platform writes in it; else English."""
    for fact in parts.get("intake", []):
        spoken = fact["fields"].get("preferred_language")
        if spoken in LANGUAGES:
            return spoken
    return "en"


def render(doc: dict) -> str:
    words = TEXT[doc["language"]]
    produced = dt.datetime.fromisoformat(doc["produced_at"]).astimezone(BRUSSELS)
    lines = [words["title"], "", f"{words['client']}: {doc['client_id']}",
             f"{words['produced']} {produced:%Y-%m-%d %H:%M} {words['by']} {doc['produced_by']['user_id']}", "",
             words["rule"], ""]
    for service, facts in doc["services"].items():
        lines.append(f"== {words['services'].get(service, service)} ==")
        if not facts:
            lines.append(f"  {words['nothing']}")
        for fact in facts:
            when = dt.datetime.fromisoformat(fact["recorded"]).astimezone(BRUSSELS)
            lines.append(f"  {when:%Y-%m-%d %H:%M}  {fact['fact']}")
            for name, value in fact["fields"].items():
                shown = words["withheld"] if value == WITHHELD else _value(value)
                lines.append(f"      {name}: {shown}")
        lines.append("")
    return "\n".join(lines)


def _value(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)
