"""A guidance service following an in-memory intake, and the steps the tests repeat."""
import datetime as dt

from tests.support.samples import COORDINATOR, WORKER, intervention_args, registration_args

# The start of the hour the tests run in: the business clock the applications are given
# starts here, and records opened now (their created_on is the wall clock's) are
# never later than it by more than the hour, whatever day the suite runs.
NOW = dt.datetime.now(dt.timezone.utc).replace(minute=0, second=0, microsecond=0)
COLLEAGUE = {"user_id": "apo-crim-1", "role": "criminologist", "agency": "apo"}
OTHER_AGENCY = {"user_id": "dsr-sa-1", "role": "social_assistant", "agency": "dsr"}
GOALS = [{"domain": "housing", "goal": "find a room before release ends"}]


def accepted_client(world, **overrides):
    intake, _, sync = world
    client_id = intake.register_client(WORKER, **registration_args(**overrides))
    intake.receive_help_request(WORKER, client_id, "justice_assistant", ["housing", "work"], "...", "normal")
    intake.accept(COORDINATOR, client_id, "apo-sa-1")
    sync()
    return client_id


def intervention(guidance, client_id, actor=WORKER, **overrides):
    args = dict(method="information_guidance", sub_kind="information_sentence_execution",
                domains=["judicial_situation"], note="Spoke about fears of the hearing.", next_steps="Call the lawyer.")
    args.update(overrides)
    at = args.pop("at", NOW - dt.timedelta(hours=1))
    return guidance.record_intervention(actor, client_id, **intervention_args(at, **args))
