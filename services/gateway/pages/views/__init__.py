"""Every page, by area: which path, which methods, whether a person must be signed in."""
from services.gateway.pages.app import PREFIX, View
from services.gateway.pages.views import auth, caseload, clients, inbox, interventions, plan

VIEWS: tuple[View, ...] = (
    View("/app", auth.home), View(PREFIX, auth.home),
    View(PREFIX + "sign-in", auth.sign_in, ("GET", "POST"), signed_in=False),
    View(PREFIX + "sign-out", auth.sign_out, ("POST",), signed_in=False),
    View(PREFIX + "language", auth.language, ("POST",), signed_in=False),
    View(PREFIX + "caseload", caseload.caseload),
    View(PREFIX + "clients/find", clients.find, ("GET", "POST")),
    View(PREFIX + "clients/new", clients.register, ("GET", "POST")),
    View(PREFIX + "clients/<uuid:client_id>", clients.file),
    View(PREFIX + "clients/<uuid:client_id>/interventions/new", interventions.record, ("GET", "POST")),
    View(PREFIX + "clients/<uuid:client_id>/plan", plan.agree, ("GET", "POST")),
    View(PREFIX + "inbox", inbox.inbox),
    View(PREFIX + "inbox/<uuid:notification_id>/read", inbox.mark_read, ("POST",)),
)
