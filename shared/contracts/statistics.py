"""Contracts of the statistics service: the facts it records, declared once, the
figures query and its answer, and what it publishes (only that it carried out an
erasure).

Statistics keeps no name and no client id in clear. Each client is known by a
random pseudonym; the link from the client to it (``Pseudonymisation``) is sealed
under a key of that link's own, which the client's erasure destroys. Every other
fact it records (``Tally``) holds a pseudonym, an agency, a day and the codes of a
figure's cell: nothing a person could be named by."""
import csv
import io
from functools import partial

from marshmallow import fields, validate

from shared.contracts.base import ActorSchema, AnswerSchema, CommandSchema, published_event
from shared.contracts.declare import Fact, declared
from shared.contracts.intake import ErasureCarriedOut

SERVICE = "statistics"
# The tables a figure request may ask for (``dimensions``); all of them by default.
TABLES = ("clients", "intakes", "interventions", "interpreters", "referrals", "waiting", "continuity_gaps")
# What each table counts besides distinct persons: (things counted, their amount),
# either None where the table shows none.
MEASURES = {
    "clients": (None, None),
    "intakes": ("intakes", None),
    "interventions": ("interventions", "minutes"),
    "interpreters": ("interventions", "minutes"),
    "referrals": ("referrals", None),
    "waiting": ("acceptances", "median_days"),
    "continuity_gaps": ("gaps", None),
}
# A request reaches at most this far back from its end.
MAX_YEARS = 5

# No caller gives these: statistics writes them from other services' facts.
written = partial(declared, given=False, published=False)


class Pseudonymisation(Fact):
    """Which pseudonym stands for which client. Found through a keyed hash of the
    client's id (the record's own id), and sealed under the link's own key: once the
    client is erased, neither the client nor the pseudonym can be read from it."""

    sealed_with = "link"
    client_id = written(fields.UUID(required=True, allow_none=True), category="identity", personal=True)
    pseudonym = written(fields.String(required=True, allow_none=True), category="identity", personal=True)


class Tally(Fact):
    """One thing counted in a figure's cell (an intervention, an intake decision, a
    stretch of guidance under one legal position, a referral, a wait, a continuity
    gap), as of its latest correction."""

    # The tally's own id, a keyed hash of the upstream thing counted; it is never published.
    entry_id = written(fields.UUID(required=True), category=None)
    table = written(fields.String(required=True, validate=validate.OneOf(TABLES)), category=None)
    person = written(fields.String(required=True), category=None)  # a random pseudonym
    agency = written(fields.String(required=True), category=None)
    start = written(fields.Date(required=True), category=None)
    end = written(fields.Date(required=True, allow_none=True), category=None)
    # The cell codes (``[row, column]``, one pair per cell the thing counts in).
    cells = written(fields.List(fields.List(fields.String()), required=True), category=None)
    amount = written(fields.Integer(required=True), category=None)  # minutes, days waited; 0 when none


class Figures(CommandSchema):
    """Figures for a period: across agencies (a funder, optionally one agency) or for
    the coordinator's own agency."""

    actor = fields.Nested(ActorSchema, required=True)
    # ``from`` is a Python keyword: the RPC takes it as ``from`` in the payload.
    from_ = fields.Date(required=True, data_key="from")
    until = fields.Date(required=True)
    agency = fields.String(load_default=None, validate=validate.Length(min=1, max=64))
    dimensions = fields.List(fields.String(validate=validate.OneOf(TABLES)), load_default=None,
                             validate=validate.Length(min=1))


# Where a client's erasure was carried out (the link to their pseudonym).
ErasureCarriedOutV1 = published_event(SERVICE, "erasure-carried-out", 1, ErasureCarriedOut)


# -- answers ----------------------------------------------------------------------------

class Count(fields.Raw):
    """A number, or in a withheld cell "< 5" (persons: 1 to 4) or "x" (withheld so that
    a small cell cannot be recovered); a median of nothing is null."""


def _measure(description: str) -> Count:
    return Count(allow_none=True, metadata={"description": description, "oneOf": [
        {"type": "number"}, {"type": "string", "enum": ["< 5", "x"]}, {"type": "null"}]})


class FigureCell(AnswerSchema):
    """One cell, or a margin (``total`` as its row or column code). Which measures a
    cell has depends on its table."""

    row = fields.String(required=True)
    column = fields.String(required=True)
    persons = _measure("distinct persons over the period")
    intakes = _measure("help requests and decisions (intakes)")
    interventions = _measure("interventions (interventions, interpreters)")
    minutes = _measure("their minutes (interventions, interpreters)")
    referrals = _measure("referrals proposed in the period (referrals)")
    acceptances = _measure("acceptances whose wait is measured (waiting)")
    median_days = _measure("median days from help request to acceptance (waiting)")
    gaps = _measure("continuity gaps (continuity_gaps)")


class FigureTable(AnswerSchema):
    rows = fields.String(required=True, metadata={"description": "what the row codes are"})
    columns = fields.String(required=True, metadata={"description": "what the column codes are"})
    cells = fields.List(fields.Nested(FigureCell), required=True)


class FiguresAnswer(AnswerSchema):
    from_ = fields.Date(required=True, data_key="from")
    until = fields.Date(required=True)
    agency = fields.String(required=True, allow_none=True, metadata={"description": "none: all agencies"})
    threshold = fields.Integer(required=True, metadata={"description": "a cell of fewer persons is withheld"})
    small = fields.String(required=True, metadata={"description": "what a small cell's persons show"})
    withheld = fields.String(required=True, metadata={"description": "what any other withheld number shows"})
    tables = fields.Dict(keys=fields.String(validate=validate.OneOf(TABLES)), values=fields.Nested(FigureTable),
                         required=True)


CSV_HEADER = ("table", "row_kind", "row", "column_kind", "column", "persons", "count", "count_kind", "amount",
              "amount_kind")


def as_csv(answer: dict) -> str:
    """The figures (a ``FiguresAnswer``) as CSV, RFC 4180: a header row, then one line
    per cell with its persons ("< 5", "x" as shown), the things counted and their
    amount (minutes, or the median wait in days), each with what it is."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for name, table in answer["tables"].items():
        count_kind, amount_kind = MEASURES[name]
        for cell in table["cells"]:
            count = cell.get(count_kind, "") if count_kind else ""
            amount = cell.get(amount_kind, "") if amount_kind else ""
            writer.writerow((name, table["rows"], cell["row"], table["columns"], cell["column"], cell["persons"],
                             count, count_kind or "", "" if amount is None else amount, amount_kind or ""))
    return out.getvalue()
