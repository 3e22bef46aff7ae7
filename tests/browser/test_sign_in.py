"""Signing in and out in the browser: a caseworker without a second factor, a
coordinator with one, a wrong password, and the page's safety (no inline script)."""
import re

from services.gateway.pages.i18n import translations
from tests.browser.conftest import PHONE
from tests.support.platform import http


def test_a_caseworker_signs_in_sees_the_caseload_and_signs_out(page):
    page.open("/app/caseload")
    assert page.path().startswith("/app/sign-in")  # no session: the sign-in page, then back
    page.check("sign-in")
    page.sign_in("apo-sa-1")
    page.language("en")
    assert page.path().startswith("/app/caseload")
    assert page.text("h1") == "My caseload"
    assert "apo-sa-1" in page.text("#sign-out-form")
    page.check("caseload")

    page.submit("sign-out")
    assert page.path().startswith("/app/sign-in")
    page.check("signed-out")
    page.open("/app/caseload")
    assert page.path().startswith("/app/sign-in")  # the session is gone for good


def test_a_coordinator_signs_in_with_the_code_of_the_authenticator_app(page):
    page.sign_in("apo-coord")
    assert page.path().startswith("/app/caseload")
    assert "apo-coord" in page.text("#sign-out-form")


def test_a_wrong_password_shows_an_error_summary_that_links_to_the_field(page):
    page.open("/app/sign-in")
    page.language("en")
    page.sign_in("apo-sa-1", password="not-the-password")
    assert page.path().startswith("/app/sign-in")
    summary = page.find("#error-summary")
    assert "The username or the password is wrong." in summary.text
    assert [a.get_attribute("href").split("#")[1] for a in page.all("#error-summary a")] == ["username"]
    assert page.find("#username").get_attribute("value") == "apo-sa-1"  # kept
    assert page.find("#password").get_attribute("value") == ""  # never sent back
    page.check("wrong-password")


def test_pages_carry_the_content_security_policy_and_no_inline_script(page, web):
    status, headers, _ = http("GET", web.url + "/app/sign-in")
    assert status == 200
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    page.sign_in("apo-sa-1")
    for path in ("/app/caseload", "/app/clients/find", "/app/clients/new", "/app/inbox"):
        page.open(path)
        source = page.driver.page_source
        scripts = re.findall(r"<script\b[^>]*>", source)
        assert scripts and all(" src=" in s for s in scripts), (path, scripts)
        assert not re.search(r"\son[a-z]+\s*=", source), path  # no inline event handlers
        assert not re.search(r"javascript:", source, re.I), path
    page.check("inbox")  # the one page of the slice no other test checks


def test_the_pages_read_on_a_phone(page):
    """Phone-sized: nothing wider than the screen, and axe still finds nothing serious."""
    page.driver.set_window_size(*PHONE)
    page.sign_in("apo-sa-1")
    page.language("fr")
    assert page.text("h1") == translations("fr").gettext("My caseload")
    for name, path in (("caseload-phone", "/app/caseload"), ("register-phone", "/app/clients/new")):
        page.open(path)
        width, screen = page.driver.execute_script(
            "return [document.documentElement.scrollWidth, window.innerWidth]")
        assert width <= screen, f"{path} scrolls sideways on a phone: {width} > {screen}"
        page.check(name)
