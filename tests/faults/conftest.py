import pytest

from tests.support.platform import Platform


@pytest.fixture(params=["postgres"])
def store(request, pg_prefix):
    if request.param == "postgres":
        return {"JWW_STORE_KIND": "postgres", "dbname_prefix": pg_prefix}
    return {}


@pytest.fixture
def platform(tmp_path, amqp_uri, store, request):
    """The platform fixture, on PostgreSQL stores of the test's own."""
    the_platform = Platform(tmp_path, amqp_uri, store)
    yield the_platform
    the_platform.stop_all()
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        print(the_platform.log_tails())
