"""Browser tests: headless Chromium driven by Selenium against every service and the
gateway as real processes (SQLite stores, a vhost of the session's own), axe-core on every
page, and a screenshot of each page checked (WAVE2 25).

One platform (shared with the integration tests, tests/support/running.py) and one
browser for the whole session keep the run short: each test works on clients of its
own."""
from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest

from tests.support.accounts import totp
from tests.support.broker import wait_until
from tests.support.running import Running

CHROMEDRIVER = "/usr/bin/chromedriver"
CHROMIUM_FLAGS = ("--headless=new", "--no-sandbox", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-dev-shm-usage", "--lang=en-GB")
LAPTOP = (1280, 900)
PHONE = (390, 844)
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
BLOCKING = ("serious", "critical")  # axe impacts that fail a test; minor and moderate ones are printed


@pytest.fixture(scope="session")
def web(running: Running) -> Running:
    """The session's platform (tests/support/running.py), shared with the integration tests."""
    return running


@pytest.fixture(scope="session")
def driver():
    """Headless Chromium from Debian's packages; never a silent skip when it is missing."""
    if not (shutil.which("chromium") and os.path.exists(CHROMEDRIVER)):
        pytest.fail("Chromium and its driver are missing: `make test` installs them as root "
                    "(Debian packages chromium and chromium-driver)", pytrace=False)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager must not look for drivers on the network
    options = webdriver.ChromeOptions()
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument("--window-size=%d,%d" % LAPTOP)
    the_driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    the_driver.set_page_load_timeout(30)
    yield the_driver
    the_driver.quit()


class Page:
    """The browser as one test drives it: go to a page, fill and send its forms, and
    check each page visited with axe-core, saving a screenshot of it."""

    def __init__(self, driver, web: Running, test_name: str):
        self.driver = driver
        self.web = web
        self.test_name = re.sub(r"[^A-Za-z0-9_.-]+", "-", test_name).strip("-")
        self.checked: list[str] = []
        self.chosen_language: str | None = None

    def open(self, path: str) -> None:
        self.driver.get(self.web.url + path)

    def find(self, css: str):
        from selenium.webdriver.common.by import By

        return self.driver.find_element(By.CSS_SELECTOR, css)

    def all(self, css: str) -> list:
        from selenium.webdriver.common.by import By

        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def text(self, css: str) -> str:
        return self.find(css).text

    def type(self, field: str, value: str) -> None:
        element = self.find(f"#{field}")
        element.clear()
        element.send_keys(value)

    def set_value(self, field: str, value: str) -> None:
        """Date and time inputs take keys in the browser's locale order: set the value,
        in the ISO form the browser sends, and let the page see a change as if typed."""
        self.driver.execute_script(
            "arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('change', {bubbles: true}));",
            self.find(f"#{field}"), value)

    def choose(self, field: str, value: str) -> None:
        from selenium.webdriver.support.ui import Select

        Select(self.find(f"#{field}")).select_by_value(value)

    def tick(self, element_id: str) -> None:
        box = self.find(f"#{element_id}")
        if not box.is_selected():
            box.click()

    def submit(self, button: str) -> None:
        """Click (a button or a link) and wait for the next page to load. A new document
        has a new time origin; asking an element of the old one whether it went stale
        can fail mid-navigation in Chromium, so the document is asked instead."""
        origin = self._document()
        self.find(f"#{button}").click()
        wait_until(lambda: self._document() not in (None, origin), timeout=20, interval=0.1,
                   what=f"the page after #{button}")

    def _document(self):
        """The loaded document's time origin; None while one is loading."""
        from selenium.common.exceptions import WebDriverException

        try:
            return self.driver.execute_script(
                "return document.readyState === 'complete' ? performance.timeOrigin : null")
        except WebDriverException:
            return None

    def path(self) -> str:
        return self.driver.current_url[len(self.web.url):]

    def error_links(self) -> list[str]:
        """The fields the error summary links to, in its order."""
        return [a.get_attribute("href").split("#")[1] for a in self.all("#error-summary a")]

    def refreshed_until(self, css: str, what: str) -> None:
        """Another service learns of a change by its events: reload until ``css`` shows."""
        def shown():
            self.driver.refresh()
            return self.all(css)

        wait_until(shown, timeout=30, interval=0.5, what=what)

    def submit_until(self, button: str, done, what: str) -> None:
        """Send a form again until ``done()``: a refusal keeps what was typed (with a fresh
        idempotency key) while the service that decides has not yet learnt of an event."""
        def sent():
            self.submit(button)
            return done()

        wait_until(sent, timeout=30, interval=0.5, what=what)

    def sign_in(self, username: str, password: str | None = None) -> None:
        self.open("/app/sign-in")
        self.type("username", username)
        self.type("password", password or f"sample-{username}")
        code = totp(username)
        if code:
            self.type("totp", code)
        self.submit("sign-in")
        # Each account keeps the language it last chose, maybe in another test: a test
        # that chose one goes on in it whoever signs in.
        if self.chosen_language and not self.path().startswith("/app/sign-in"):  # signed in
            self.language(self.chosen_language)

    def language(self, code: str) -> None:
        self.chosen_language = code
        self.submit(f"language-{code}")
        assert self.find("html").get_attribute("lang") == code

    def check(self, name: str) -> list[dict]:
        """axe-core on the page as it is now: fails on a serious or critical violation,
        naming the rule, its help and the elements; saves a screenshot either way."""
        from axe_selenium_python import Axe

        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shot = SCREENSHOTS / f"{self.test_name}-{name}.png"
        self.driver.save_screenshot(str(shot))
        axe = Axe(self.driver)
        axe.inject()  # the axe-core script shipped inside the package: no network
        results = axe.run()
        _record(self.test_name, name, self.path(), results["violations"])
        violations = _without_known_false_positives(self.driver, results["violations"])
        self.checked.append(name)
        blocking = [v for v in violations if v.get("impact") in BLOCKING]
        assert not blocking, f"axe on {name} ({self.path()}):\n" + describe(blocking)
        return violations


# axe-core 3.1.1 (shipped in axe-selenium-python 2.1.6, the newest for Python 3.11)
# is from 2018 and flags what HTML allows and axe-core 4 accepts: the autocomplete
# token "one-time-code" as malformed, "off" as inappropriate on tel and email inputs,
# and <dt>/<dd> grouped in a <div> inside a <dl>. Only those nodes of those two rules
# are set aside (and still written to axe-findings.jsonl); everything else counts.
_FALSE_POSITIVES = {
    "autocomplete-valid": "return ['one-time-code', 'off'].includes(node.getAttribute('autocomplete'))",
    "dlitem": "var p = node.parentElement; return p.tagName === 'DIV' && p.parentElement.tagName === 'DL'",
}


def _without_known_false_positives(driver, violations: list[dict]) -> list[dict]:
    kept = []
    for v in violations:
        if v["id"] in _FALSE_POSITIVES:
            script = "var node = document.querySelector(arguments[0]); " + _FALSE_POSITIVES[v["id"]]
            nodes = [n for n in v["nodes"] if not driver.execute_script(script, n["target"][0])]
            if not nodes:
                continue
            v = {**v, "nodes": nodes}
        kept.append(v)
    return kept


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v.get('impact')}): {v['help']}")
        for node in v["nodes"]:
            lines.append(f"    {', '.join(map(str, node['target']))}: {node.get('failureSummary', '')}".rstrip())
    return "\n".join(lines)


def _record(test: str, name: str, path: str, violations: list[dict]) -> None:
    """Every finding, blocking or not, one JSON line each, beside the screenshots."""
    with open(SCREENSHOTS / "axe-findings.jsonl", "a") as out:
        for v in violations:
            out.write(json.dumps({"test": test, "page": name, "path": path, "rule": v["id"], "impact": v.get("impact"),
                                  "help": v["help"], "nodes": [n["target"] for n in v["nodes"]]}) + "\n")


@pytest.fixture
def page(driver, web, request):
    """A fresh session for each test: no cookie of the previous one, laptop-sized."""
    driver.delete_all_cookies()
    driver.set_window_size(*LAPTOP)
    yield Page(driver, web, request.node.name)
