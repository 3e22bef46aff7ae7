"""The web pages: server-rendered HTML on the gateway's own origin, under ``/app/``
(static files under ``/static/``), for people who do not use curl.

Each page calls the services through the gateway's same ``call``, as the signed-in
person (the services check what they may do, as for the API). ``Gateway.handle``
hands the paths under ``/app/`` and ``/static/`` here, and adds the headers every
answer carries; this adds the Content-Security-Policy (no inline script or style
anywhere), ``no-store`` and the session cookie.

A request: its sealed session cookie is opened (``session.py``); a POST must carry
the session's CSRF token; a page for signed-in people checks the access token,
refreshes it with the refresh token when it expired, and sends the person to sign in
(and back) when that fails, keeping what a form held (``jww_resume``).
"""
from __future__ import annotations

import hmac
import logging
import re
import uuid
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable
from urllib.parse import quote, urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

from shared import context
from shared.errors import Refused

from services.gateway import problems
from services.gateway.auth import Revocations, Tokens
from services.gateway.problems import Problem
from services.gateway.pages import i18n, navigation
from services.gateway.pages.forms import Form
from services.gateway.pages.i18n import N_, Words
from services.gateway.pages.session import RESUME_COOKIE, SESSION_COOKIE, Sealer, Session

log = logging.getLogger(__name__)

PREFIX = "/app/"
STATIC = "/static/"
HERE = Path(__file__).parent
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
       "frame-ancestors 'none'")
STATIC_TYPES = {".css": "text/css", ".js": "text/javascript", ".svg": "image/svg+xml"}
# What a person reads for each problem a service or the gateway answers with.
PROBLEM_MESSAGES = {
    400: N_("The request could not be read. Go back and try again."),
    403: N_("This is not for your role or your agency, so it was not shown or done."),
    404: N_("There is no such page or record. It may have been moved, or the link is wrong."),
    405: N_("This page cannot be used like that."),
    409: N_("Someone changed this meanwhile, or its state does not allow this now. Nothing was changed: "
            "reload the page to see the latest version, then try again."),
    410: N_("This record was erased."),
    422: N_("Some answers need changing."),
    429: N_("Too many attempts. Wait a moment, then try again."),
    503: N_("A part of the platform is not answering just now. Try again in a moment: sending the same form "
            "again will not record anything twice."),
    500: N_("Something went wrong on our side. Nothing you can do fixes it; give this reference to support: "
            "%(reference)s"),
}
PROBLEM_TITLES = {
    400: N_("Something is wrong with the request"), 403: N_("Not allowed"), 404: N_("Page not found"),
    405: N_("Not allowed"), 409: N_("Changed meanwhile"), 410: N_("Erased"), 422: N_("Check your answers"),
    429: N_("Too many attempts"), 503: N_("Try again in a moment"), 500: N_("Sorry, there is a problem"),
}
# The notices a page may show after a redirect: only codes travel in a URL.
NOTICES = {
    "signed_out": N_("You are signed out."),
    "erasure_requested": N_("The erasure is asked for. An administrator or the data-protection officer decides."),
    "erasure_approved": N_("The erasure is approved: the client's personal data is erased in every service."),
    "erasure_refused": N_("The erasure is refused: the data is kept."),
    "hold_placed": N_("The legal hold is placed: nothing of the client's data is erased until it is lifted."),
    "hold_lifted": N_("The legal hold is lifted."),
    "enrolled": N_("Your password is set. Sign in with it."),
    "password_changed": N_("Your password is changed."),
    "expired": N_("Your session ended. Sign in again to carry on where you were."),
    "registered": N_("The client is registered."),
    "duplicate": N_("The client is registered, and held: a possible duplicate needs a coordinator's check."),
    "intervention": N_("The intervention is recorded."),
    "plan": N_("The plan is agreed."),
    "read": N_("The message is marked as read."),
    "referral_proposed": N_("The referral is proposed. It is not sent yet: send it from this page."),
    "referral_sent": N_("The referral is proposed and sent to the partner."),
    "referral_no_consent": N_("The referral is proposed but not sent: the client has not consented to share their "
                              "data with this partner for a referral. Record the client's consent first, then send "
                              "the referral from this page."),
    "referral_not_sent": N_("The referral is proposed but could not be sent just now. Send it from this page."),
    "referral_step": N_("The step is recorded."),
    "referral_note": N_("The note is added."),
    "certificate": N_("The attendance certificate is issued."),
    "partner_registered": N_("The partner is in the directory."),
    "partner_changed": N_("The partner is described anew."),
    "partner_deactivated": N_("The partner is deactivated: it takes no new referrals."),
    "help_request": N_("The help request is recorded."),
    "languages": N_("The languages are recorded."),
    "consent": N_("The consent is recorded."),
    "consent_withdrawn": N_("The consent is withdrawn."),
    "plan_reviewed": N_("The plan is reviewed."),
    "psychologist": N_("The recommendation of a psychologist is recorded."),
    "closed": N_("The trajectory is closed."),
    "reopened": N_("The trajectory is reopened."),
    "condition": N_("The condition is recorded."),
    "condition_support": N_("The support with the condition is recorded."),
    "appointment": N_("The appointment is planned."),
    "appointment_outcome": N_("How the appointment went is recorded."),
    "network_member": N_("The person is added to the network."),
    "network_contact": N_("The contact is recorded."),
    "return_home": N_("The return home is prepared."),
    "procedure": N_("The procedure is started."),
    "procedure_step": N_("The step of the procedure is recorded."),
    "procedure_end": N_("How the procedure ended is recorded."),
    "intake_accepted": N_("The intake is accepted and the worker assigned."),
    "intake_declined": N_("The intake is declined."),
    "waitlisted": N_("The client is on the waitlist."),
    "reassigned": N_("The client is assigned to the new worker."),
    "transferred": N_("The client is transferred to the other agency."),
    "duplicate_settled": N_("Your finding is recorded."),
    "coordination_changed": N_("The coordination of help is changed."),
    "conference_held": N_("The case conference is recorded."),
    "action_done": N_("The action is marked as done."),
    "staff_added": N_("The staff member is added."),
    "staff_deactivated": N_("The staff member is deactivated."),
    "staff_reactivated": N_("The staff member is active again."),
    "calendar_feed_off": N_("Your calendar feed is off: its address works no more."),
    # Corrections (issue 20: views/corrections.py, views/situation.py).
    "intervention_amended": N_("The correction of the intervention is recorded."),
    "intervention_retracted": N_("The intervention is retracted as recorded in error."),
    "appointment_moved": N_("The appointment is moved."),
    "appointment_cancelled": N_("The appointment is cancelled."),
    "referral_cancelled": N_("The referral is cancelled. The partner is told."),
    "referral_withdrawn": N_("The referral is withdrawn. The partner is told."),
    "referral_reopened": N_("The referral is reopened: it waits for the partner's answer again."),
    "legal_situation": N_("The change of the legal situation is recorded."),
    "contact_details": N_("The contact details are recorded."),
    "intake_reopened": N_("The intake is re-opened: the client waits for a decision on it again."),
}

Call = Callable[..., object]


@dataclass(frozen=True)
class View:
    rule: str
    endpoint: Callable
    methods: tuple[str, ...] = ("GET",)
    signed_in: bool = True

    @property
    def label(self) -> str:
        """The rule with its ids as ``{placeholders}``: a metric label, never a raw path."""
        return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", self.rule)


class SignInFirst(Exception):
    """The session cannot be used (expired, signed out, revoked): sign in again."""


def local_path(target: str | None, default: str = PREFIX) -> str:
    """``target`` when it is a path of these pages, else ``default``: a ``next`` never
    leads off this site."""
    if not target or not target.startswith(PREFIX) or "\\" in target or "//" in target:
        return default
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else default


class Page:
    """One request to the pages: its session, its language, the signed-in actor, and
    the means to answer."""

    def __init__(self, pages: "Pages", request: Request, call: Call, session: Session, fresh: bool):
        self.pages = pages
        self.request = request
        self.call = call
        self.session = session
        self.dirty = fresh  # a new or changed session is sent back in the cookie
        self.words = Words(i18n.chosen(session.language, request.accept_languages))
        self.actor: dict | None = None
        self.resume_cookie: str | None = None  # set: carry typed fields; "": clear them

    @property
    def language(self) -> str:
        return self.words.language

    def t(self, text: str, **params) -> str:
        return self.words.gettext(text, **params)

    # -- the form posted -----------------------------------------------------------------

    def csrf_ok(self) -> bool:
        given = self.request.form.get("csrf_token", "")
        return bool(given) and hmac.compare_digest(given.encode(), self.session.csrf.encode())

    def posted(self) -> Form:
        """The posted form, with its own hidden fields; a malformed idempotency key is
        replaced by a fresh one (it only ever makes a retry safe)."""
        values = MultiDict(self.request.form)
        key = values.get("idempotency_key", "")
        if not re.fullmatch(r"[!#-~]{1,255}", key):
            key = None
        return Form(values, if_match=values.get("if_match") or None, idempotency_key=key)

    def command(self, form: Form) -> None:
        """The form's idempotency key goes with the command, as the header would."""
        context.current().idempotency_key = form.idempotency_key

    def resumed(self, form: Form) -> Form:
        """A form shown again with what was typed before the session expired, if any."""
        fields = self.pages.sealer.resume(self.request.cookies.get(RESUME_COOKIE), self.request.path)
        if fields is None:
            return form
        self.resume_cookie = ""
        values = MultiDict(fields)
        return Form(values, if_match=values.get("if_match") or form.if_match)

    # -- who is signed in ------------------------------------------------------------------

    def sign_in(self) -> None:
        """The actor of the session's access token, refreshed once when it has expired;
        ``SignInFirst`` when neither will do."""
        tokens, session = self.pages.tokens, self.session
        if not session.signed_in:
            raise SignInFirst()
        try:
            claims = tokens.claims(f"Bearer {session.access}")
        except Problem:
            claims = self._refreshed()
        try:
            self.pages.revocations.check(claims, self.call)
        except Problem as problem:
            if problem.status != 401:
                raise
            raise SignInFirst() from None
        self.actor = tokens.actor_of(claims)
        context.current().actor = self.actor  # what the calls to services assert

    def _refreshed(self) -> dict:
        answer = self.call("accounts", "refresh", {"refresh_token": self.session.refresh,
                                                   "client": client_address(self.request)}, None)
        if answer.get("outcome") != "signed_in":
            raise SignInFirst()
        self.start(answer)
        return self.pages.tokens.claims(f"Bearer {self.session.access}")

    def start(self, answer: dict) -> None:
        """A session for accounts' ``signed_in`` answer (a sign-in or a refresh)."""
        actor = answer["actor"]
        issued = self.pages.tokens.issue(actor, answer["session_id"])
        keep = self.session if self.session.signed_in else Session(language=self.session.language)
        keep.access, keep.refresh = issued["access_token"], answer["refresh_token"]
        keep.user = {"user_id": actor["user_id"], "role": actor["role"], "agency": actor["agency"]}
        self.session, self.dirty = keep, True

    def to_sign_in(self) -> Response:
        """To the sign-in page and back here; a form posted keeps what was typed."""
        ended = self.session.signed_in  # else a first visit: nothing ended
        if ended:
            self.session = Session(language=self.session.language, csrf=self.session.csrf)
            self.dirty = True
        path = self.request.path
        if self.request.method == "POST":
            typed = [(k, v) for k, v in self.request.form.items(multi=True)
                     if k not in ("csrf_token", "idempotency_key", "password")]
            self.resume_cookie = self.pages.sealer.seal_resume(path, typed) or ""
        return self.redirect(f"{PREFIX}sign-in?next={quote(path)}" + ("&notice=expired" if ended else ""))

    # -- answers ----------------------------------------------------------------------------

    def render(self, template: str, status: int = 200, **values) -> Response:
        notice = NOTICES.get(self.request.args.get("notice", ""))
        user = self.session.user if self.session.signed_in else None
        html = self.pages.environment(self.language).get_template(template).render(
            page=self, w=self.words, user=user, menu=navigation.menu(user["role"] if user else None),
            csrf_token=self.session.csrf, path=self.request.path, interface_languages=i18n.LANGUAGE_NAMES,
            notice=self.t(notice) if notice else None, new_key=lambda: uuid.uuid4().hex, **values)
        return Response(html, status=status, mimetype="text/html")

    def redirect(self, target: str) -> Response:
        return redirect(target, code=303)

    def problem(self, status: int, reference: str = "") -> Response:
        status = status if status in PROBLEM_MESSAGES else 500
        return self.render("problem.html", status=status, title=self.t(PROBLEM_TITLES[status]),
                           message=self.t(PROBLEM_MESSAGES[status], reference=reference)
                           if status == 500 else self.t(PROBLEM_MESSAGES[status]))


def status_of(error: Exception) -> int:
    """The HTTP status of a service's refusal or a gateway problem."""
    if isinstance(error, Problem):
        return error.status
    if isinstance(error, Refused):
        return problems.from_refusal(error, "").status
    return 500


def client_address(request: Request) -> str:
    return (request.remote_addr or "")[:64]


@lru_cache(maxsize=4)
def _url_map(views: tuple[View, ...]) -> Map:
    """Compiled once per process: werkzeug compiles each rule to Python code."""
    return Map([Rule(v.rule, methods=list(v.methods), endpoint=v) for v in views], strict_slashes=False,
               merge_slashes=False)


class Pages:
    def __init__(self, tokens: Tokens, revocations: Revocations, secure_cookies: bool = False):
        from services.gateway.pages import views

        self.tokens = tokens
        self.revocations = revocations
        self.secure_cookies = secure_cookies  # always Secure, whatever the request says (behind TLS)
        self.sealer = Sealer(tokens.key)
        self.views = views.VIEWS
        self.urls = _url_map(self.views)
        self._environments = {lang: self._environment(lang) for lang in i18n.LANGUAGES}
        self._static = {path.name: path.read_bytes() for path in (HERE / "static").iterdir() if path.is_file()}

    @staticmethod
    def owns(path: str) -> bool:
        return path == PREFIX.rstrip("/") or path.startswith(PREFIX) or path.startswith(STATIC)

    def environment(self, language: str) -> Environment:
        return self._environments[language]

    @staticmethod
    @lru_cache(maxsize=None)
    def _environment(language: str) -> Environment:
        """One per language and process: each keeps its compiled templates."""
        env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(("html",)),
                          extensions=["jinja2.ext.i18n"], trim_blocks=True, lstrip_blocks=True)
        translations = i18n.translations(language)
        env.install_gettext_translations(translations, newstyle=True)
        return env

    # -- a request ---------------------------------------------------------------------------

    def handle(self, request: Request, call: Call) -> tuple[str, Response]:
        """The route label (for metrics and logs) and the answer."""
        if request.path.startswith(STATIC):
            return self._static_file(request)
        opened = self.sealer.session(request.cookies.get(SESSION_COOKIE))
        page = Page(self, request, call, opened or Session(), fresh=opened is None)
        label = "/app/unmatched"
        try:
            view, values = self.urls.bind_to_environ(request.environ).match()
            label = view.label
            response = self._run(page, view, values)
        except NotFound:
            response = page.problem(404)
        except MethodNotAllowed:
            response = page.problem(405)
        except Exception as error:
            # The type only: an exception's message can carry personal data.
            log.error("page failed", extra={"route": label, "error": type(error).__name__})
            response = page.problem(500, context.correlation_id())
        return label, self._finish(page, response)

    def _run(self, page: Page, view: View, values: dict) -> Response:
        if page.request.method == "POST" and not page.csrf_ok():
            # Not sent from a page of ours (or from one older than this session): nothing done.
            return page.render("problem.html", status=400, title=page.t(N_("This form has expired")),
                               message=page.t(N_("Nothing was sent. Go back, reload the page and fill the "
                                                 "form in again.")))
        try:
            if view.signed_in:
                page.sign_in()
            return view.endpoint(page, **values)
        except SignInFirst:
            return page.to_sign_in()
        except (Problem, Refused) as error:
            status = status_of(error)
            if status == 401:
                return page.to_sign_in()
            return page.problem(status, context.correlation_id())

    def _finish(self, page: Page, response: Response) -> Response:
        secure = self.secure_cookies or page.request.scheme == "https" or \
            page.request.headers.get("X-Forwarded-Proto", "").lower() == "https"
        if page.dirty:
            response.set_cookie(SESSION_COOKIE, self.sealer.seal_session(page.session), httponly=True,
                                samesite="Lax", path="/", secure=secure)
        if page.resume_cookie is not None:
            if page.resume_cookie:
                response.set_cookie(RESUME_COOKIE, page.resume_cookie, max_age=15 * 60, httponly=True,
                                    samesite="Lax", path=PREFIX, secure=secure)
            else:
                response.delete_cookie(RESUME_COOKIE, path=PREFIX, httponly=True, samesite="Lax", secure=secure)
        response.headers["Content-Security-Policy"] = CSP
        response.headers["Cache-Control"] = "no-store"
        response.headers["Content-Language"] = page.language
        response.headers["X-Frame-Options"] = "DENY"
        return response

    def _static_file(self, request: Request) -> tuple[str, Response]:
        name = request.path[len(STATIC):]
        body = self._static.get(name)
        if body is None or request.method not in ("GET", "HEAD"):
            return "/static/unmatched", Response("not found\n", status=404, mimetype="text/plain",
                                                 headers={"Content-Security-Policy": CSP})
        mimetype = STATIC_TYPES.get(Path(name).suffix, "application/octet-stream")
        return f"/static/{name}", Response(body, mimetype=mimetype, headers={
            "Cache-Control": "public, max-age=3600", "Content-Security-Policy": CSP})
