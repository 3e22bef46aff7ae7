"""If-Match reaches the store: a command decided on an older version of a record
is refused before it changes anything (shared/concurrency.py, shared/store.py)."""
import pytest

from services.intake.application import IntakeApplication
from shared import concurrency
from shared.config import DEPLOY_DIR
from shared.errors import Conflict
from tests.support.samples import COORDINATOR, WORKER, registration_args
from tests.support.fakes import IN_MEMORY


@pytest.fixture
def intake():
    app = IntakeApplication(env=IN_MEMORY)
    app.load_directory(DEPLOY_DIR / "intake" / "sample-directory.json")
    yield app
    concurrency.use(None)


def help_request(intake, client_id):
    return intake.receive_help_request(WORKER, client_id, "self", ["housing"], "?")


def test_a_command_on_a_record_changed_since_it_was_read_changes_nothing(intake):
    client_id = intake.register_client(WORKER, **registration_args())
    help_request(intake, client_id)  # someone else's change: version 2
    head = intake.head()

    concurrency.use(concurrency.tag(client_id, 1))
    with pytest.raises(Conflict) as refused:
        help_request(intake, client_id)
    assert refused.value.details == {"If-Match": ["you read version 1; it is now at version 2"]}
    assert intake.head() == head


def test_the_version_read_lets_the_command_through_and_its_own_answer_read_it_again(intake):
    client_id = intake.register_client(WORKER, **registration_args())
    concurrency.use(concurrency.tag(client_id, 1))
    intake.accept(COORDINATOR, client_id, "apo-sa-1")
    assert intake.client_file(COORDINATOR, client_id)["status"] == "accepted"  # read after the change


def test_an_expectation_about_another_record_or_none_checks_nothing(intake):
    client_id = intake.register_client(WORKER, **registration_args())
    help_request(intake, client_id)
    concurrency.use(concurrency.tag("00000000-0000-4000-8000-000000000000", 1))
    help_request(intake, client_id)
    concurrency.use(None)
    help_request(intake, client_id)
    assert concurrency.parse("not a tag") is None and concurrency.parse(f"{client_id}:x") is None
