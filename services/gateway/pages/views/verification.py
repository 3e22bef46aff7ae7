"""Verifying the platform's stores (an auditor): each chosen service verifies its own
store as a job, against audit's last witnessed checkpoint of it where audit keeps
one, and signs what it found. The results page shows each job, reloaded by a plain
link while one runs; a finished result counts only if its signature holds under its
service's public key, as ``jww verify --api`` checks it."""
from __future__ import annotations

import uuid

from shared import config, verification
from shared.contracts.base import WITNESSED
from shared.errors import Refused

from services.gateway.problems import Problem
from services.gateway.pages.app import PREFIX, Page, status_of
from services.gateway.pages.forms import Form
from services.gateway.pages.i18n import N_
from services.gateway.pages.views.audit import SERVICE_NAMES
from services.gateway.pages.views.common import refused

RESULTS = PREFIX + "audit/verification/results"


def start(page: Page):
    if page.request.method != "POST":  # GET, or HEAD
        form = Form()
        form.values.setlist("services", list(config.SERVICES))
        return _start_form(page, form)
    form = page.posted()
    chosen = [s for s in config.SERVICES if s in form.getlist("services")]
    if not chosen:
        form.add("services", page.t(N_("Choose at least one service.")))
        return _start_form(page, form, 422)
    jobs = []
    page.command(form)  # sent again (a reload), each service answers with the same job
    for service in chosen:
        try:
            witnessed = _witnessed(page, service)
            answer = page.call(service, "start_verification", {"actor": page.actor, "witnessed_last": witnessed},
                               None)
        except (Refused, Problem) as error:
            refused(page, form, error, {}, "services")
            return _start_form(page, form, status_of(error))
        jobs.append(f"{service}:{answer['job_id']}")
    return page.redirect(RESULTS + "?" + "&".join(f"job={job}" for job in jobs))


def _witnessed(page: Page, service: str) -> dict | None:
    """Audit's last witnessed checkpoint of the service; None where audit keeps none
    (its own store, sharing's, accounts') or has witnessed none yet."""
    if service not in WITNESSED:
        return None
    try:
        last = page.call("audit", "last_witnessed", {"actor": page.actor, "service": service}, None)
    except (Refused, Problem) as error:
        if status_of(error) != 404:
            raise
        return None
    return {"number": last["number"], "digest": last["digest"]}


def _start_form(page: Page, form: Form, status: int = 200):
    services = [(code, page.t(SERVICE_NAMES[code])) for code in config.SERVICES]
    return page.render("verification.html", status=status, form=form, services=services,
                       title=page.t(N_("Verify the platform's stores")))


def results(page: Page):
    jobs = []
    for given in page.request.args.getlist("job")[:len(config.SERVICES)]:
        service, _, job_id = given.partition(":")
        try:
            job_id = str(uuid.UUID(job_id))
        except ValueError:
            continue
        if service in config.SERVICES:
            jobs.append(_job(page, service, job_id))
    if not jobs:
        return page.redirect(PREFIX + "audit/verification")
    running = any(job["status"] == "running" for job in jobs)
    return page.render("verification_results.html", title=page.t(N_("Verification results")), jobs=jobs,
                       running=running, service_names=SERVICE_NAMES, again=page.request.full_path)


def _job(page: Page, service: str, job_id: str) -> dict:
    """One job as the page shows it: running (how far), finished (holds, and whether
    its signature holds), or not found / refused."""
    try:
        status = page.call(service, "verification", {"actor": page.actor, "job_id": job_id}, None)
    except (Refused, Problem) as error:
        code = status_of(error)
        if code == 401:
            raise
        return {"service": service, "job_id": job_id, "status": "unknown", "refusal": code}
    result = status.get("result")
    forged = verification.signature_problem(result) if result else None
    return {"service": service, "job_id": job_id, "status": status["status"], "up_to": status["up_to"],
            "read": status.get("read"), "result": result, "signature_holds": result is not None and not forged,
            "holds": bool(result and result["holds"] and not forged)}
