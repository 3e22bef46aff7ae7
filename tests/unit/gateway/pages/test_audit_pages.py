"""The auditor's pages (a client's timeline, the file at an instant, the changes, the
signed export, the verification of the stores) and the data-protection pages
(erasure asked for, approved or refused; legal hold; subject access), through
werkzeug's test client, with the services' answers given by the test."""
import json
import re
import uuid

import pytest

from shared.errors import Conflict, Forbidden, Gone, InvalidInput, NotFound
from services.gateway.pages.views import audit as audit_views
from services.gateway.pages.views import verification as verification_views
from tests.unit.gateway.pages.support import CLIENT, Browser, Services, field, summary

AUDITOR = {"user_id": "auditor-1", "role": "auditor", "agency": "audit"}
COORDINATOR = {"user_id": "apo-coord", "role": "coordinator", "agency": "apo"}
ADMIN = {"user_id": "admin-1", "role": "admin", "agency": "platform"}
WORKER = {"user_id": "apo-sa-1", "role": "social_assistant", "agency": "apo"}
TIMELINE = f"/app/audit/clients/{CLIENT}/timeline"
REPLAY = f"/app/audit/clients/{CLIENT}/replay"
CHANGES = f"/app/audit/clients/{CLIENT}/changes"
EXPORT = f"/app/audit/clients/{CLIENT}/export"


def entry(source: str, fact: str, minute: int, actor: str | None = "apo-sa-1") -> dict:
    return {"event_id": str(uuid.uuid4()), "source": source, "type": f"be.jww.{source}.{fact}.v1",
            "time": f"2026-11-30T09:{minute:02d}:00+00:00", "position": minute, "agency": "apo", "actor": actor,
            "actor_role": "social_assistant" if actor else None, "data": {"method": "listening_support"},
            "erased": []}


def timeline_answer(entries: list[dict]) -> dict:
    return {"client_id": CLIENT, "erased": None, "entries": entries, "access_log": [
        {"outcome": "read", "reader": "apo-sa-1", "role": "social_assistant", "agency": "apo", "purpose": "casework",
         "purpose_detail": None, "query": "client_file", "rule": None, "service": "intake",
         "at": "2026-11-30T09:30:00+00:00"},
        {"outcome": "refused", "reader": "dsr-sa-1", "role": "social_assistant", "agency": "dsr", "purpose": None,
         "purpose_detail": None, "query": "client_file", "rule": "agency", "service": "intake",
         "at": "2026-11-30T09:31:00+00:00"}]}


def replay_answer(interventions: int) -> dict:
    file = {"intake": {"status": "accepted", "agency": "apo", "worker": "apo-sa-1",
                       "registered": "2026-11-30T09:00:00+00:00", "help_requests": [], "decisions": [],
                       "consents": [], "erased": []},
            "trajectory": {"status": "open", "opened": "2026-11-30T09:05:00+00:00", "plan_history": [],
                           "interventions": [{"intervention_id": str(uuid.uuid4()), "method": "listening_support",
                                              "recorded": f"2026-11-30T09:1{i}:00+00:00", "by": "apo-sa-1",
                                              "erased": []} for i in range(interventions)]},
            "referrals": [], "erasure": {"requests": [], "legal_holds": [], "carried_out": []}}
    return {"client_id": CLIENT, "erased": None, "at": "2026-11-30T10:00:00+00:00", "facts": 3 + interventions,
            "file": file}


def signed_in_as(actor: dict) -> tuple[Browser, Services]:
    services = Services()
    for rpc in ("sign_in", "refresh"):
        services.answers[f"accounts.{rpc}"] = {**services.answers[f"accounts.{rpc}"], "actor": actor}
    browser = Browser(services)
    assert browser.sign_in(actor["user_id"]).status_code == 303
    return browser, services


@pytest.fixture
def auditor():
    return signed_in_as(AUDITOR)


def hidden(browser: Browser, path: str, form: str) -> dict:
    html = browser.get(path).text
    return {name: field(html, name, form=form) for name in ("csrf_token", "idempotency_key")}


# -- the start page and the timeline ------------------------------------------------------------

def test_the_auditor_reaches_the_start_page_from_the_menu_and_it_asks_for_a_reference_and_a_purpose(auditor):
    browser, _ = auditor
    page = browser.get("/app/audit").text
    assert 'id="nav-audit"' in page and 'id="nav-verification"' in page and 'id="nav-caseload"' not in page
    assert 'name="client_reference"' in page and '<option value="inspection" selected>' in page


def test_a_reference_that_is_not_one_is_refused_next_to_the_field_and_kept(auditor):
    browser, services = auditor
    response = browser.post("/app/audit", {**hidden(browser, "/app/audit", "audit-start-form"),
                                           "client_reference": "Jan Peeters", "purpose": "inspection"})
    assert response.status_code == 422 and [t for t, _ in summary(response.text)] == ["client_reference"]
    assert 'value="Jan Peeters"' in response.text and services.made("timeline") == []


def test_a_reference_with_no_fact_on_record_is_named_next_to_the_field(auditor):
    browser, services = auditor
    services.answers["audit.timeline"] = NotFound("no facts about this client", {"client_id": ["not found"]})
    response = browser.post("/app/audit", {**hidden(browser, "/app/audit", "audit-start-form"),
                                           "client_reference": CLIENT, "purpose": "inspection"})
    assert response.status_code == 404 and [t for t, _ in summary(response.text)] == ["client_reference"]


def test_the_start_page_reads_the_timeline_with_the_purpose_and_shows_it(auditor):
    browser, services = auditor
    services.answers["audit.timeline"] = timeline_answer([entry("intake", "client-registered", 1),
                                                          entry("guidance", "intervention-recorded", 2)])
    response = browser.post("/app/audit", {**hidden(browser, "/app/audit", "audit-start-form"),
                                           "client_reference": CLIENT.upper(), "purpose": "court_request",
                                           "purpose_detail": "2026/123"})
    assert response.status_code == 200
    (read,) = services.made("timeline")
    assert read["payload"] == {"actor": AUDITOR, "client_id": CLIENT, "purpose": "court_request",
                               "purpose_detail": "2026/123"}
    rows = re.findall(r'<code class="entry-type">([^<]+)</code>', response.text)
    assert rows == ["client-registered", "intervention-recorded"]
    # The purpose travels to the other audit pages in the forms, never in a URL.
    assert field(response.text, "purpose_detail", form="audit-tasks-form") == "2026/123"
    assert "2026/123" not in re.findall(r'(?:href|action|formaction)="([^"]*)"', response.text).__repr__()


def test_the_timeline_filters_by_service_kind_and_window_in_brussels_time(auditor):
    browser, services = auditor
    services.answers["audit.timeline"] = timeline_answer(
        [entry("intake", "client-registered", 1)] + [entry("guidance", "intervention-recorded", m) for m in (2, 3)]
        + [entry("guidance", "plan-agreed", 4)])
    response = browser.post(TIMELINE, {**hidden(browser, TIMELINE, "timeline-form"), "purpose": "inspection",
                                       "service": "guidance", "type": "be.jww.guidance.intervention-recorded.v1",
                                       "since": "2026-07-01T10:00", "until": "2026-11-30T11:00:30"})
    (read,) = services.made("timeline")
    assert read["payload"]["since"] == "2026-07-01T08:00:00+00:00"  # summer time
    assert read["payload"]["until"] == "2026-11-30T10:00:30+00:00"
    assert re.findall(r'<code class="entry-type">([^<]+)</code>', response.text) == ["intervention-recorded"] * 2
    assert '<option value="be.jww.guidance.plan-agreed.v1">' in response.text  # other kinds of that service
    assert "client-registered" not in response.text


def test_the_timeline_shows_the_reads_and_refused_attempts(auditor):
    browser, services = auditor
    services.answers["audit.timeline"] = timeline_answer([])
    response = browser.post(TIMELINE, {**hidden(browser, TIMELINE, "timeline-form"), "purpose": "inspection",
                                       "show": "reads"})
    assert 'id="reads"' in response.text and "dsr-sa-1" in response.text and "Refused" in response.text


def test_a_long_timeline_is_paged(auditor):
    browser, services = auditor
    services.answers["audit.timeline"] = timeline_answer([entry("guidance", "intervention-recorded", m % 60)
                                                          for m in range(30)])
    form = {**hidden(browser, TIMELINE, "timeline-form"), "purpose": "inspection"}
    first = browser.post(TIMELINE, form).text
    assert len(re.findall(r'class="entry-type"', first)) == audit_views.PAGE_SIZE and 'id="next-page"' in first
    second = browser.post(TIMELINE, {**form, "page": "2"}).text
    assert len(re.findall(r'class="entry-type"', second)) == 30 - audit_views.PAGE_SIZE
    assert 'id="previous-page"' in second and 'id="next-page"' not in second


def test_a_window_ending_before_it_starts_is_refused_without_reading(auditor):
    browser, services = auditor
    response = browser.post(TIMELINE, {**hidden(browser, TIMELINE, "timeline-form"), "purpose": "inspection",
                                       "since": "2026-11-30T10:00", "until": "2026-11-30T09:00"})
    assert response.status_code == 422 and [t for t, _ in summary(response.text)] == ["until"]
    assert 'value="2026-11-30T10:00"' in response.text and services.made("timeline") == []


def test_a_refused_read_shows_in_the_persons_words(auditor):
    browser, services = auditor
    services.answers["audit.timeline"] = Forbidden("not for your role")
    response = browser.post(TIMELINE, {**hidden(browser, TIMELINE, "timeline-form"), "purpose": "inspection"})
    assert response.status_code == 403 and "not for your role or your agency" in response.text


def test_other_roles_get_no_audit_menu(auditor):
    browser, _ = signed_in_as(WORKER)
    assert 'id="nav-audit"' not in browser.get("/app/caseload").text


# -- the file at an instant, the changes, the export ------------------------------------------

def test_the_task_buttons_open_a_page_with_the_purpose_and_read_nothing(auditor):
    browser, services = auditor
    form = hidden(browser, REPLAY, "replay-form")
    response = browser.post(REPLAY, {"csrf_token": form["csrf_token"], "purpose": "complaint",
                                     "purpose_detail": "K-17", "open": "1"})
    assert response.status_code == 200 and services.made("replay") == []
    assert '<option value="complaint" selected>' in response.text and 'value="K-17"' in response.text
    assert re.search(r'id="at" name="at"\s+type="datetime-local" step="1" value="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d"',
                     response.text)


def test_the_replay_sends_the_instant_in_utc_and_shows_the_items(auditor):
    browser, services = auditor
    services.answers["audit.replay"] = replay_answer(2)
    response = browser.post(REPLAY, {**hidden(browser, REPLAY, "replay-form"), "purpose": "inspection",
                                     "at": "2026-11-30T11:00:00"})
    (read,) = services.made("replay")
    assert read["payload"] == {"actor": AUDITOR, "client_id": CLIENT, "purpose": "inspection",
                               "at": "2026-11-30T10:00:00+00:00"}
    part = re.search(r'id="part-trajectory-interventions".*?</section>', response.text, re.S).group(0)
    assert part.count('class="file-item"') == 2
    assert "Rebuilt from 5 facts." in response.text


def test_an_instant_before_the_file_or_after_now_is_named_next_to_the_field(auditor):
    browser, services = auditor
    form = {**hidden(browser, REPLAY, "replay-form"), "purpose": "inspection"}
    services.answers["audit.replay"] = NotFound("the client's file did not exist yet at this instant",
                                                {"at": ["before the client's first fact"]})
    response = browser.post(REPLAY, {**form, "at": "2020-01-01T10:00"})
    assert response.status_code == 404 and [t for t, _ in summary(response.text)] == ["at"]
    assert "did not exist yet" in response.text
    response = browser.post(REPLAY, {**form, "at": "2099-01-01T10:00"})
    assert response.status_code == 422 and [t for t, _ in summary(response.text)] == ["at"]
    assert len(services.made("replay")) == 1  # the future one was not sent


def test_the_changes_between_two_instants_are_listed(auditor):
    browser, services = auditor
    services.answers["audit.changes"] = {
        "client_id": CLIENT, "erased": None, "since": "2026-11-30T09:00:00+00:00",
        "until": "2026-11-30T10:00:00+00:00", "file_at_since": {}, "file_at_until": {},
        "changes": [{"item": "trajectory.interventions", "id": "i-1", "change": "added",
                     "fields": {"method": {"before": None, "after": "listening_support"}}}],
        "facts": [entry("guidance", "intervention-recorded", 10)]}
    response = browser.post(CHANGES, {**hidden(browser, CHANGES, "changes-form"), "purpose": "inspection",
                                      "since": "2026-11-30T10:00", "until": "2026-11-30T11:00"})
    (read,) = services.made("changes")
    assert (read["payload"]["since"], read["payload"]["until"]) == ("2026-11-30T09:00:00+00:00",
                                                                    "2026-11-30T10:00:00+00:00")
    assert 'class="change change-added"' in response.text and "– → listening_support" in response.text
    assert "1 fact in between" in response.text


@pytest.mark.parametrize("kind, rpc, answer, suffix, mimetype", [
    ("json", "export", {"format": "jww-audit-export/1", "signature": "x..y"}, "json", "application/json"),
    ("text", "export_report", {"report": "Audit report\n"}, "txt", "text/plain; charset=utf-8"),
])
def test_the_export_downloads_as_an_attachment(auditor, kind, rpc, answer, suffix, mimetype):
    browser, services = auditor
    services.answers[f"audit.{rpc}"] = answer
    response = browser.post(EXPORT, {**hidden(browser, EXPORT, "export-form"), "purpose": "court_request",
                                     "purpose_detail": "2026/123", "since": "2026-11-30T10:00",
                                     "until": "2026-11-30T11:00", "format": kind})
    assert response.status_code == 200 and response.headers["Content-Type"] == mimetype
    assert response.headers["Content-Disposition"] == \
        f'attachment; filename="audit-{CLIENT}-20261130-110000.{suffix}"'
    assert response.headers["Cache-Control"] == "no-store" and "Content-Security-Policy" in response.headers
    (read,) = services.made(rpc)
    assert read["payload"]["purpose_detail"] == "2026/123"
    body = response.get_data(as_text=True)
    assert (json.loads(body) == answer) if kind == "json" else body == "Audit report\n"


# -- verification of the stores --------------------------------------------------------------------

def test_verification_starts_a_job_per_chosen_service_against_audits_witness(auditor, monkeypatch):
    browser, services = auditor
    jobs = {"intake": str(uuid.uuid4()), "audit": str(uuid.uuid4())}
    services.answers["audit.last_witnessed"] = {"number": 3, "digest": "d" * 64, "position": 40}
    services.answers["intake.start_verification"] = {"job_id": jobs["intake"]}
    services.answers["audit.start_verification"] = {"job_id": jobs["audit"]}
    page = browser.get("/app/audit/verification").text
    assert page.count('type="checkbox"') == 8 and page.count("checked") == 8
    response = browser.post("/app/audit/verification", {
        **hidden(browser, "/app/audit/verification", "verification-form"), "services": ["intake", "audit"]})
    assert response.headers["Location"] == \
        f"/app/audit/verification/results?job=intake:{jobs['intake']}&job=audit:{jobs['audit']}"
    (witnessed,) = services.made("last_witnessed")  # audit keeps no witness of itself
    assert witnessed["payload"] == {"actor": AUDITOR, "service": "intake"}
    started = {c["service"]: c["payload"] for c in services.made("start_verification")}
    assert started == {"intake": {"actor": AUDITOR, "witnessed_last": {"number": 3, "digest": "d" * 64}},
                       "audit": {"actor": AUDITOR, "witnessed_last": None}}


def test_no_service_chosen_is_refused_next_to_the_boxes(auditor):
    browser, services = auditor
    response = browser.post("/app/audit/verification", hidden(browser, "/app/audit/verification",
                                                              "verification-form"))
    assert response.status_code == 422 and [t for t, _ in summary(response.text)] == ["services"]
    assert services.made("start_verification") == []


def test_the_results_show_each_job_and_refresh_by_a_plain_link(auditor, monkeypatch):
    browser, services = auditor
    done, running = str(uuid.uuid4()), str(uuid.uuid4())
    result = {"service": "guidance", "job_id": done, "up_to": 12, "records": 12, "holds": True, "problems": [],
              "witnessed": {"number": 2, "digest": "e" * 64}, "requested_by": "auditor-1", "signature": "s"}
    services.answers["guidance.verification"] = {"job_id": done, "status": "finished", "up_to": 12, "read": 12,
                                                 "result": result}
    services.answers["referrals.verification"] = {"job_id": running, "status": "running", "up_to": 50, "read": 20,
                                                  "result": None}
    checked = []
    monkeypatch.setattr(verification_views.verification, "signature_problem",
                        lambda r: checked.append(r) or None)
    path = f"/app/audit/verification/results?job=guidance:{done}&job=referrals:{running}"
    page = browser.get(path).text
    assert checked == [result]
    guidance = re.search(r'id="job-guidance".*?</tr>', page, re.S).group(0)
    assert "Holds" in guidance and "the signature holds" in guidance and "checkpoint 2" in guidance
    assert "20 of 50 records read" in page and 'id="still-running"' in page
    assert f'id="refresh" href="{path}"'.replace("&", "&amp;") in page
    monkeypatch.setattr(verification_views.verification, "signature_problem", lambda r: "forged")
    assert "Does not hold" in re.search(r'id="job-guidance".*?</tr>', browser.get(path).text, re.S).group(0)


# -- erasure, legal hold, subject access ------------------------------------------------------------

@pytest.fixture
def coordinator():
    return signed_in_as(COORDINATOR)


@pytest.fixture
def admin():
    return signed_in_as(ADMIN)


ERASURE = f"/app/clients/{CLIENT}/erasure"
DECIDE = f"/app/data-protection/clients/{CLIENT}/erasure"
HOLD = f"/app/data-protection/clients/{CLIENT}/legal-hold"


def test_the_file_offers_a_coordinator_erasure_and_subject_access_and_shows_a_legal_hold(coordinator):
    browser, services = coordinator
    services.answers["intake.client_file"] = {"client_id": CLIENT, "status": "accepted", "agency": "apo",
                                              "personal": None, "erased": None,
                                              "legal_hold": {"ground": "legal_claims", "since": "2026-11-30"}}
    services.answers["guidance.trajectory"] = NotFound("none", {})
    page = browser.get(f"/app/clients/{CLIENT}").text
    assert 'id="erasure-link"' in page and 'id="subject-access-link"' in page and 'id="legal-hold"' in page
    worker, more = signed_in_as(WORKER)
    more.answers.update({k: v for k, v in services.answers.items() if not k.startswith("accounts.")})
    assert 'id="erasure-link"' not in worker.get(f"/app/clients/{CLIENT}").text


def test_asking_for_an_erasure_needs_a_ground_then_a_confirmation_then_sends_it(coordinator):
    browser, services = coordinator
    form = hidden(browser, ERASURE, "erasure-request-form")
    response = browser.post(ERASURE, {**form, "note": "Asked by letter."})
    assert response.status_code == 422 and [t for t, _ in summary(response.text)] == ["legal_basis"]
    assert "Asked by letter." in response.text
    confirm = browser.post(ERASURE, {**form, "legal_basis": "objection", "note": "Asked by letter."})
    assert confirm.status_code == 200 and 'id="erasure-meaning"' in confirm.text
    assert services.made("request_erasure") == []
    services.answers["intake.request_erasure"] = {"erasure_id": str(uuid.uuid4()), "status": "requested"}
    confirmed = {name: field(confirm.text, name, form="erasure-confirm-form")
                 for name in ("csrf_token", "idempotency_key", "legal_basis", "note", "confirmed")}
    response = browser.post(ERASURE, confirmed)
    assert response.headers["Location"] == f"/app/clients/{CLIENT}?notice=erasure_requested#intake"
    (sent,) = services.made("request_erasure")
    assert sent["payload"] == {"actor": COORDINATOR, "client_id": CLIENT, "legal_basis": "objection",
                               "note": "Asked by letter."}
    assert sent["idempotency_key"] == form["idempotency_key"]
    services.answers["intake.request_erasure"] = Conflict("an erasure of this client is requested already",
                                                         {"client_id": ["erasure requested"]})
    again = browser.post(ERASURE, confirmed)
    assert again.status_code == 409 and "asked for already" in again.text


def test_the_data_protection_start_page_leads_to_each_task_by_reference(admin):
    browser, _ = admin
    page = browser.get("/app/data-protection").text
    assert 'id="nav-data-protection"' in page and 'id="task-subject-access"' not in page  # admins may not
    form = hidden(browser, "/app/data-protection", "data-protection-form")
    response = browser.post("/app/data-protection", {**form, "client_reference": "85.07.30-033.28"})
    assert response.status_code == 422 and [t for t, _ in summary(response.text)] == ["client_reference"]
    for task, target in (("erasure", DECIDE), ("legal-hold", HOLD)):
        response = browser.post("/app/data-protection", {**form, "client_reference": CLIENT, "task": task})
        assert response.headers["Location"] == target


def test_approving_an_erasure_says_what_it_means_first(admin):
    browser, services = admin
    form = hidden(browser, DECIDE, "approve-form")
    confirm = browser.post(DECIDE, {**form, "decision": "approve"})
    assert "cannot be undone" in confirm.text and services.made("approve_erasure") == []
    services.answers["intake.approve_erasure"] = {"erasure_id": str(uuid.uuid4()), "status": "approved"}
    response = browser.post(DECIDE, {**form, "decision": "approve", "confirmed": "yes"})
    assert response.headers["Location"] == "/app/data-protection?notice=erasure_approved"
    (sent,) = services.made("approve_erasure")
    assert sent["payload"] == {"actor": ADMIN, "client_id": CLIENT}
    assert "personal data is erased in every service" in browser.get(response.headers["Location"]).text


def test_the_four_eyes_rule_and_a_legal_hold_are_told_in_the_persons_words(admin):
    browser, services = admin
    form = {**hidden(browser, DECIDE, "approve-form"), "decision": "approve", "confirmed": "yes"}
    services.answers["intake.approve_erasure"] = Forbidden("whoever requested an erasure may not decide it",
                                                           {"actor": ["requested this erasure"]})
    assert "another person decides it" in browser.post(DECIDE, form).text
    services.answers["intake.approve_erasure"] = Conflict("a legal hold on this client's data is in force",
                                                         {"client_id": ["legal hold in force"]})
    assert "nothing is erased until it is lifted" in browser.post(DECIDE, form).text


def test_refusing_an_erasure_needs_a_reason(admin):
    browser, services = admin
    form = {**hidden(browser, DECIDE, "refuse-form"), "decision": "refuse"}
    response = browser.post(DECIDE, {**form, "reason": "no"})
    assert response.status_code == 422 and [t for t, _ in summary(response.text)] == ["reason"]
    assert services.made("refuse_erasure") == []
    services.answers["intake.refuse_erasure"] = {"erasure_id": str(uuid.uuid4()), "status": "refused"}
    response = browser.post(DECIDE, {**form, "reason": "A court case is pending."})
    assert response.headers["Location"] == "/app/data-protection?notice=erasure_refused"
    assert services.made("refuse_erasure")[0]["payload"] == {"actor": ADMIN, "client_id": CLIENT,
                                                             "reason": "A court case is pending."}


def test_a_legal_hold_is_placed_with_a_ground_and_lifted(admin):
    browser, services = admin
    form = hidden(browser, HOLD, "place-hold-form")
    response = browser.post(HOLD, {**form, "action": "place", "place_note": "Case 2026/77"})
    assert response.status_code == 422 and [t for t, _ in summary(response.text)] == ["ground"]
    assert "Case 2026/77" in response.text
    services.answers["intake.place_legal_hold"] = {"client_id": CLIENT, "in_force": True, "ground": "legal_claims"}
    response = browser.post(HOLD, {**form, "action": "place", "ground": "legal_claims", "place_note": "Case 2026/77"})
    assert response.headers["Location"] == "/app/data-protection?notice=hold_placed"
    assert services.made("place_legal_hold")[0]["payload"] == {"actor": ADMIN, "client_id": CLIENT,
                                                               "ground": "legal_claims", "note": "Case 2026/77"}
    services.answers["intake.lift_legal_hold"] = Conflict("no legal hold", {"client_id": ["no legal hold"]})
    response = browser.post(HOLD, {**hidden(browser, HOLD, "lift-hold-form"), "action": "lift",
                                   "lift_note": "Case closed"})
    assert "data is in force." in response.text and "No legal hold on this client" in response.text
    assert 'Case closed</textarea>' in response.text
    assert services.made("lift_legal_hold")[0]["payload"] == {"actor": ADMIN, "client_id": CLIENT,
                                                              "note": "Case closed"}


def test_subject_access_downloads_every_services_part_in_the_chosen_language(coordinator):
    browser, services = coordinator
    services.answers["intake.subject_access"] = [{"fact": "ClientRegistered", "recorded": "2026-11-30T09:00:00+00:00",
                                                  "fields": {"preferred_language": "fr"}}]
    path = f"/app/clients/{CLIENT}/subject-access"
    form = hidden(browser, path, "subject-access-form")
    response = browser.post(path, {**form, "language": "", "format": "text"})
    assert response.headers["Content-Disposition"] == f'attachment; filename="subject-access-{CLIENT}-fr.txt"'
    assert response.get_data(as_text=True).startswith("Accès à vos données")
    asked = {c["service"] for c in services.made("subject_access")}
    assert asked == {"intake", "guidance", "referrals", "notifications", "audit", "sharing", "accounts", "statistics"}
    response = browser.post(path, {**form, "language": "nl", "format": "json"})
    assert json.loads(response.get_data(as_text=True))["language"] == "nl"
    services.answers["intake.subject_access"] = Gone("erased", {"client_id": ["erased"]})
    response = browser.post(path, {**form, "language": "nl", "format": "text"})
    assert response.status_code == 410 and "erased already" in response.text


def test_subject_access_refused_to_another_agency_shows_in_the_persons_words(coordinator):
    browser, services = coordinator
    services.answers["intake.subject_access"] = Forbidden("this client is followed by another agency")
    path = f"/app/clients/{CLIENT}/subject-access"
    response = browser.post(path, {**hidden(browser, path, "subject-access-form"), "format": "text"})
    assert response.status_code == 403 and "not for your role or your agency" in response.text


def test_an_invalid_ground_from_the_service_lands_next_to_its_field(coordinator):
    browser, services = coordinator
    services.answers["intake.request_erasure"] = InvalidInput("invalid", {"legal_basis": ["Must be one of: x."]})
    response = browser.post(ERASURE, {**hidden(browser, ERASURE, "erasure-request-form"),
                                      "legal_basis": "objection", "confirmed": "yes"})
    assert response.status_code == 422 and [t for t, _ in summary(response.text)] == ["legal_basis"]
