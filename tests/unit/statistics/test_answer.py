"""What GET /figures answers fits its answer schema and the OpenAPI document, withheld
cells and a median of nothing included (the gateway's own answer case runs it too)."""
import json
from types import SimpleNamespace

from jsonschema import Draft202012Validator

from services.gateway.openapi import document
from services.gateway.routes import ROUTES
from services.statistics.service import StatisticsService
from shared.contracts.statistics import FiguresAnswer
from tests.unit.statistics.world import FUNDER, THIS_MONTH


def test_the_answer_fits_its_schema_and_the_document(world):
    clients = world.clients(6)
    for client_id in clients[:3]:
        world.intervene(client_id, interpreter={"language": "ar", "kind": "telephone"})
    for client_id in clients[3:]:
        world.intervene(client_id)
    world.sync()
    answer = StatisticsService.figures(SimpleNamespace(app=world.statistics), {
        "actor": FUNDER, "from": THIS_MONTH[0].isoformat(), "until": THIS_MONTH[1].isoformat()})
    assert json.loads(json.dumps(answer)) == answer
    assert FiguresAnswer().validate(answer) == {}
    cells = [c for t in answer["tables"].values() for c in t["cells"]]
    assert any(c["persons"] == "< 5" for c in cells) and any(c.get("median_days", 0) is None for c in cells)
    doc = document()
    route = next(r for r in ROUTES if r.operation_id == "statistics.figures")
    content = doc["paths"][route.path]["get"]["responses"]["200"]["content"]
    assert set(content) == {"application/json", "text/csv"}
    validator = Draft202012Validator({**content["application/json"]["schema"], "components": doc["components"]},
                                     format_checker=Draft202012Validator.FORMAT_CHECKER)
    assert not [e.message for e in validator.iter_errors(answer)]
