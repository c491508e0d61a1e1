#!/usr/bin/env python3
"""Browser journey: a student signs in through 统一身份认证 (CAS) on a phone and confirms a contact.

Starts a real CAS server (django-mama-cas, scripts/start-cas.sh) and its own Yixian demo server
(fresh SQLite file and data directory, loopback, rate limits off) with YIXIAN_CAS_URL pointing at it,
then, in headless Chromium:
  1. the cadre `cadre` signs in with their password (desktop) and records a dorm visit for their
     linked collectives, one of which the demo student belongs to, and keeps its 8-character code;
  2. on a phone, the demo student, signed out, opens /c/CODE, is sent to /login?next=/c/CODE,
     follows 统一身份认证登录 to the CAS login form, signs in there with their student number (the CAS
     user; Yixian knows them as `student`), comes back to /c/CODE signed in as a student and confirms;
     signed out of Yixian again, 统一身份认证登录 signs them straight back in (CAS single sign-on);
  3. the ticket CAS issued in 2, replayed at /login/cas/callback in a fresh browser session, and a
     forged one, get a 401 page and no session; over plain HTTP, so does a ticket used once and a
     ticket CAS issued to another application (another port);
  4. `nobody-here`, a CAS user with no Yixian account, gets a 403 page and no session.
HTTP-level checks (no browser) cover /login/cas's 303 to CAS with the callback as `service`.

Prints one line per check and `N passed, M failed`; exits 1 if anything failed.

    python3 Tests/browser/cas_journey.py --bin .build/debug/yixian --out artifacts/screenshots [--port 18095] [--cas-port 18900]
    python3 Tests/browser/cas_journey.py --selftest [--cas-port 18900]   # the CAS server alone, no Yixian, no browser
"""
import argparse
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from demo_server import DemoServer, summarise, tear_down  # noqa: E402
from smoke import (DESKTOP, PASSWORD, PHONE, CheckFailed, Smoke, _is_stale)  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
START_CAS = os.path.join(REPO, "scripts", "start-cas.sh")
CAS_LINK_TEXT = "统一身份认证登录"
# The CAS passwords differ from Yixian's demo password: the student types the CAS one.
STUDENT_CAS_PASSWORD = "Cas-2026-student"
NOBODY = "nobody-here"
NOBODY_CAS_PASSWORD = "Cas-2026-nobody"
STUDENT_NUMBER_SQL = ("SELECT s.student_number FROM users u JOIN students s ON s.id = u.student_id "
                      "WHERE u.username = 'student'")
# Going live: a cadre and a student the office imports during the journey; CAS knows the student already.
NEW_STAFF = "T9901"
NEW_STUDENT = "2099010101"
NEW_STUDENT_CAS_PASSWORD = "Cas-2026-newcomer"
NEW_CADRE_PASSWORD = "Lushan-road-88"
# A college of the demo and one of its classes, for the imported people.
COLLEGE_SQL = ("SELECT u.code, u.name, c.code, c.name FROM units u JOIN collectives c ON c.unit_id = u.id "
               "WHERE u.kind = 'college' AND c.kind = 'class' AND c.active = 1 ORDER BY u.code, c.code LIMIT 1")


def say(text):
    print(f"# {text}", flush=True)


class CAS:
    """The CAS server of scripts/start-cas.sh on a loopback port."""

    def __init__(self, port):
        self.port = port
        self.base = None
        self.log = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"yixian-cas-{port}", "server.log")

    def run(self, *args, timeout=300):
        """Runs start-cas.sh; returns (exit status, last stdout line, stderr)."""
        try:
            done = subprocess.run(["bash", START_CAS, "--port", str(self.port), *args], cwd=REPO,
                                  stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return 124, "", f"start-cas.sh did not finish within {timeout} s"
        lines = done.stdout.strip().splitlines()
        return done.returncode, (lines[-1] if lines else ""), done.stderr.strip()

    def start(self, users, reset=False):
        """Starts the server (or updates the users of the running one); returns an error or None."""
        args = ["--reset"] if reset else []
        for name, password in users:
            args += ["--user", f"{name}:{password}"]
        started = time.monotonic()
        status, url, err = self.run(*args)
        for line in err.splitlines():
            say(line)
        if status != 0:
            return f"start-cas.sh exited {status}: {err.splitlines()[-1] if err else ''}"
        if not re.fullmatch(rf"http://127\.0\.0\.1:{self.port}/cas", url):
            return f"start-cas.sh printed {url!r} as the CAS base URL"
        self.base = url
        say(f"CAS at {url} in {time.monotonic() - started:.1f} s")
        return None

    def stop(self):
        status, _, err = self.run("--stop", timeout=60)
        if status != 0:
            say(f"start-cas.sh --stop exited {status}: {err}")

    def tail(self, lines=30):
        try:
            with open(self.log, encoding="utf-8", errors="replace") as f:
                return "".join(f.readlines()[-lines:])
        except OSError:
            return ""


class Yixian(DemoServer):
    """The demo server with YIXIAN_CAS_URL, on its own SQLite file and data directory."""

    def __init__(self, binary, port, workdir):
        super().__init__(binary, port, workdir, database="cas.sqlite")

    def start(self, cas_url, timeout):
        """Starts the server; returns an error message or None."""
        return super().start({"YIXIAN_CAS_URL": cas_url, "YIXIAN_PUBLIC_URL": self.base}, timeout)

    def student_number(self):
        """The demo `student` account's student number: the name CAS knows them by."""
        with sqlite3.connect(f"file:{self.database}?mode=ro", uri=True, timeout=30) as db:
            row = db.execute(STUDENT_NUMBER_SQL).fetchone()
        return row[0] if row else None

    def college_and_class(self):
        with sqlite3.connect(f"file:{self.database}?mode=ro", uri=True, timeout=30) as db:
            return db.execute(COLLEGE_SQL).fetchone()



def port_taken(port):
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


def query_of(url):
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))


class CASProtocol:
    """CAS over plain HTTP (requests, redirects not followed): what a browser and a service do."""

    def __init__(self, base):
        import requests  # installed by scripts/ci-install.sh, as Selenium is
        self.requests = requests
        self.base = base

    def login(self, session, service, username, password):
        """GET the login form, POST it; returns the POST's response (a 302 to the service on success)."""
        url = self.base + "/login?service=" + urllib.parse.quote(service, safe="")
        form = session.get(url, allow_redirects=False, timeout=30)
        if form.status_code != 200:
            return form
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
        data = {"csrfmiddlewaretoken": token.group(1) if token else "", "username": username, "password": password}
        return session.post(url, data=data, headers={"Referer": url}, allow_redirects=False, timeout=30)

    def ticket(self, username, password, service):
        """A fresh service ticket for `service`, or (None, the response) when CAS gave none."""
        answer = self.login(self.requests.Session(), service, username, password)
        ticket = query_of(answer.headers.get("Location", "")).get("ticket") if answer.status_code == 302 else None
        return ticket, answer

    def validate(self, ticket, service, path="/p3/serviceValidate"):
        """(user or None, failure code or None, body)."""
        answer = self.requests.get(self.base + path, params={"ticket": ticket, "service": service}, timeout=30)
        user = re.search(r"<cas:user>([^<]*)</cas:user>", answer.text)
        failure = re.search(r'<cas:authenticationFailure code="([A-Z_]+)"', answer.text)
        return (user.group(1) if user else None), (failure.group(1) if failure else None), answer.text


class Report:
    """PASS/FAIL lines and the counts, for the self-test (no browser)."""

    def __init__(self):
        self.passed = 0
        self.failed = 0

    check = Smoke.check
    require = Smoke.require


def selftest(cas_port):
    """The CAS server alone: install, start, the protocol Yixian relies on, stop."""
    report = Report()
    cas = CAS(cas_port)
    service = "http://127.0.0.1:18181/login/cas/callback?next=%2Fc%2FABCD2345"
    try:
        error = cas.start([("20230001", STUDENT_CAS_PASSWORD)], reset=True)
        report.require("selftest: the CAS server starts", error is None, error or "")
        protocol = CASProtocol(cas.base)
        page = protocol.requests.get(cas.base + "/login", timeout=30)
        report.check("selftest: the login page has the username and password form",
                     page.status_code == 200 and 'name="username"' in page.text and 'name="csrfmiddlewaretoken"' in page.text,
                     f"HTTP {page.status_code}")
        report.check("selftest: the login page loads nothing from outside", "//" not in re.sub(r'https?://127\.0\.0\.1', "", " ".join(
            re.findall(r'(?:href|src)="([^"]*)"', page.text))), "an outside href or src")
        wrong, _ = protocol.ticket("20230001", "wrong", service)
        report.check("selftest: a wrong password gets no ticket", wrong is None)
        ticket, answer = protocol.ticket("20230001", STUDENT_CAS_PASSWORD, service)
        report.require("selftest: signing in redirects to the service with a ticket",
                       ticket is not None and ticket.startswith("ST-"), f"HTTP {answer.status_code} {answer.headers.get('Location')}")
        location = answer.headers["Location"]
        report.check("selftest: the service URL keeps its next parameter",
                     location.startswith(service.split("?")[0] + "?") and query_of(location).get("next") == "/c/ABCD2345", location)
        user, failure, body = protocol.validate(ticket, service)
        report.check("selftest: p3/serviceValidate names the user", user == "20230001", body[:200])
        user, failure, body = protocol.validate(ticket, service)
        report.check("selftest: the ticket is single-use (INVALID_TICKET the second time)",
                     user is None and failure == "INVALID_TICKET", body[:200])
        ticket, _ = protocol.ticket("20230001", STUDENT_CAS_PASSWORD, service)
        user, failure, body = protocol.validate(ticket, service, path="/serviceValidate")
        report.check("selftest: CAS 2 serviceValidate names the user", user == "20230001", body[:200])
        ticket, _ = protocol.ticket("20230001", STUDENT_CAS_PASSWORD, service)
        user, failure, body = protocol.validate(ticket, service.replace("/callback", "/callback/"))
        report.check("selftest: a ticket is refused for another service path (INVALID_SERVICE)",
                     user is None and failure == "INVALID_SERVICE", body[:200])
        # mama-cas shows the form for any service and refuses a foreign one only once signed in.
        ticket, refused = protocol.ticket("20230001", STUDENT_CAS_PASSWORD, "http://example.org/cb")
        report.check("selftest: a service off the loopback interface gets no ticket (403 after sign-in)",
                     ticket is None and refused.status_code == 403, f"HTTP {refused.status_code} {refused.headers.get('Location')}")
        user, failure, body = protocol.validate("ST-1700000000-" + "x" * 32, service)
        report.check("selftest: an unknown ticket is refused", user is None and failure == "INVALID_TICKET", body[:200])
    except CheckFailed:
        pass
    except SystemExit as stop:  # SIGTERM (a CI timeout)
        report.check("selftest: finishes before it is terminated", False, f"exit {stop.code}")
    except Exception as error:  # noqa: BLE001 - a failure, never a missing summary
        report.check("selftest: runs without an unexpected error", False, f"{type(error).__name__}: {error}")
    finally:
        cas.stop()
    if report.failed:
        print(f"--- last lines of the CAS server log ({cas.log}) ---\n{cas.tail()}", flush=True)
    print(f"{report.passed} passed, {report.failed} failed", flush=True)
    return 1 if report.failed or not report.passed else 0


def make_driver(args):
    """smoke.py's headless Chromium, also keeping the network log: it holds the redirect through
    /login/cas/callback?ticket=…, which the browser never shows as its address."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    options = webdriver.ChromeOptions()
    options.binary_location = args.chromium
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--no-first-run",
                 "--lang=zh-CN", f"--window-size={DESKTOP[0]},{DESKTOP[1]}"):
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"intl.accept_languages": "zh-CN,zh"})
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=args.chromedriver), options=options)
    driver.set_page_load_timeout(max(args.timeout, 30))
    return driver


class Journey(Smoke):
    def __init__(self, driver, yixian, cas, out, timeout):
        super().__init__(driver, yixian.base, out, timeout)
        self.yixian = yixian
        self.cas = cas
        self.record = {}
        self.student_number = None
        self.college = None
        self.tickets = []

    # --- helpers ----------------------------------------------------------------------------------

    def fresh_session(self):
        """No cookies at all: neither Yixian's nor the CAS server's single sign-on session (both on
        127.0.0.1, and cookies do not tell ports apart)."""
        self.driver.execute_cdp_cmd("Network.clearBrowserCookies", {})
        self.driver.delete_all_cookies()

    def signed_out(self):
        """True when / sends the browser to /login."""
        self.open("/")
        return self.path() == "/login"

    def on_cas(self):
        parts = urllib.parse.urlsplit(self.driver.current_url)
        return parts.netloc == f"127.0.0.1:{self.cas.port}" and parts.path.rstrip("/") == "/cas/login"

    def on_yixian(self, path=None):
        parts = urllib.parse.urlsplit(self.driver.current_url)
        return parts.netloc == f"127.0.0.1:{self.yixian.port}" and (path is None or parts.path == path)

    def cas_link(self):
        links = self.driver.find_elements(By.CSS_SELECTOR, 'a[href^="/login/cas"]')
        return links[0] if links else None

    def sign_in_at_cas(self, label, username, password):
        """On the CAS login form: types the name and password, submits, waits to be back on Yixian."""
        self.wait(lambda d: self.on_cas() and d.find_elements(By.NAME, "username"), "the CAS login form")
        self.driver.find_element(By.NAME, "username").send_keys(username)
        self.driver.find_element(By.NAME, "password").send_keys(password)
        old_html = self.driver.find_element(By.TAG_NAME, "html")
        self.driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
        self.wait(lambda d: _is_stale(old_html) and self.on_yixian()
                  and d.execute_script("return document.readyState") == "complete", "the way back to Yixian")

    def callback_tickets(self):
        """Tickets seen in requests to /login/cas/callback since the last call (the network log)."""
        found = []
        for entry in self.driver.get_log("performance"):
            try:
                message = json.loads(entry["message"])["message"]
            except (KeyError, ValueError):
                continue
            if message.get("method") != "Network.requestWillBeSent":
                continue
            url = message.get("params", {}).get("request", {}).get("url", "")
            if urllib.parse.urlsplit(url).path == "/login/cas/callback":
                ticket = query_of(url).get("ticket")
                if ticket and ticket not in found:
                    found.append(ticket)
        return found

    def status_page(self, label, status):
        """Checks the page carries body[data-status=status] and nobody is signed in."""
        actual = self.body_attr("data-status")
        self.check(f"{label}: the page has data-status {status}", actual == str(status), f"data-status={actual!r} at {self.driver.current_url}")
        role = self.body_attr("data-user-role")
        self.check(f"{label}: no one is signed in on it", role in (None, "", "anonymous"), f"data-user-role={role!r}")

    # --- HTTP level -------------------------------------------------------------------------------

    def redirect_to_cas(self):
        def body():
            import requests
            answer = requests.get(self.base + "/login/cas", params={"next": "/some/path"}, allow_redirects=False, timeout=30)
            self.check("http: GET /login/cas answers 303", answer.status_code == 303, f"HTTP {answer.status_code}")
            location = answer.headers.get("Location", "")
            self.require("http: it redirects to the CAS login", location.startswith(self.cas.base + "/login?"), location)
            service = query_of(location).get("service", "")
            callback = self.base + "/login/cas/callback"
            self.check("http: the service is our callback (YIXIAN_PUBLIC_URL)", service.split("?")[0] == callback, service)
            self.check("http: the service is exactly <callback>?next=%2Fsome%2Fpath",
                       service == callback + "?next=%2Fsome%2Fpath", service)
            outside = requests.get(self.base + "/login/cas", params={"next": "http://example.org/"}, allow_redirects=False, timeout=30)
            service = query_of(outside.headers.get("Location", "")).get("service", "")
            self.check("http: a next off this site is not carried to CAS",
                       "example.org" not in urllib.parse.unquote(service), service)

        self.scenario("cas-http-redirect", body)

    def replay_over_http(self):
        """A ticket used once by a plain HTTP client (as a browser would) is refused the second time."""
        def body():
            import requests
            service = self.base + "/login/cas/callback?next=%2Fcases"
            ticket, answer = CASProtocol(self.cas.base).ticket(self.student_number, STUDENT_CAS_PASSWORD, service)
            self.require("http replay: CAS issues a ticket over HTTP", ticket is not None,
                         f"HTTP {answer.status_code} {answer.headers.get('Location')}")
            callback = answer.headers["Location"]
            first = requests.get(callback, allow_redirects=False, timeout=30)
            self.check("http replay: the first use signs in (a redirect to next, a session cookie)",
                       first.status_code in (302, 303) and first.headers.get("Location", "").endswith("/cases")
                       and "yixian_session" in first.headers.get("Set-Cookie", ""),
                       f"HTTP {first.status_code} {first.headers.get('Location')} {first.headers.get('Set-Cookie', '')[:60]}")
            second = requests.get(callback, allow_redirects=False, timeout=30)
            self.check("http replay: the second use is refused (401)", second.status_code == 401, f"HTTP {second.status_code}")
            self.check("http replay: and sets no session", "yixian_session" not in second.headers.get("Set-Cookie", ""),
                       second.headers.get("Set-Cookie", ""))
            # A ticket CAS issued to another application on this host, brought to our callback.
            other = self.base.replace(str(self.yixian.port), str(self.yixian.port + 1)) + "/login/cas/callback"
            ticket, answer = CASProtocol(self.cas.base).ticket(self.student_number, STUDENT_CAS_PASSWORD, other)
            self.require("http other service: CAS issues a ticket for another application", ticket is not None,
                         f"HTTP {answer.status_code} {answer.headers.get('Location')}")
            third = requests.get(self.base + "/login/cas/callback", params={"ticket": ticket}, allow_redirects=False, timeout=30)
            self.check("http other service: its ticket is refused here (401)", third.status_code == 401, f"HTTP {third.status_code}")

        self.scenario("cas-http-replay", body)

    # --- the journey ------------------------------------------------------------------------------

    def cadre_records(self):
        """1. The cadre, with their password on a desktop, records a dorm visit for their linked collectives."""
        def body():
            self.driver.set_window_size(*DESKTOP)
            photo = os.path.abspath(os.path.join(self.out, "cas-photo.png"))
            with open(photo, "wb") as f:
                f.write(self.png(64, 48, (60, 160, 90)))
            self.submit_login("cadre", PASSWORD)
            self.wait_for_path("/")
            self.check("cadre: signed in with a password as a cadre", self.body_attr("data-user-role") == "cadre",
                       self.body_attr("data-user-role"))
            self.open("/ledger")
            quick = self.driver.find_elements(By.CSS_SELECTOR, "a.quick-button")
            self.require("cadre: the ledger offers quick buttons", bool(quick), f"{len(quick)} found")
            quick[0].click()
            self.wait_for_path("/ledger/new")
            self.driver.find_element(By.NAME, "place").send_keys("竹园5舍301")
            # The collectives the cadre is linked to (联系); the demo student is in one of them.
            linked = [box for box in self.driver.find_elements(By.CSS_SELECTOR, "input[name='collectiveCodes[]']")
                      if "联系" in box.find_element(By.XPATH, "./..").text]
            self.require("cadre: the cadre's linked collectives are offered", bool(linked))
            for box in linked:
                if not box.is_selected():
                    self.driver.execute_script("arguments[0].click()", box)
            self.driver.find_element(By.NAME, "photos[]").send_keys(photo)
            count = self.driver.find_element(By.NAME, "participantCount")
            count.clear()
            count.send_keys("5")
            self.driver.find_element(By.NAME, "summary").send_keys("走访宿舍，了解统一身份认证登录是否顺畅")
            old_html = self.driver.find_element(By.TAG_NAME, "html")
            self.driver.find_element(By.CSS_SELECTOR, "button[value=submit]").click()
            self.wait(lambda d: _is_stale(old_html), "the record form to submit")
            self.wait(lambda d: re.fullmatch(r"/ledger/[0-9A-Fa-f-]{36}", self.path()) is not None, "the record page")
            code = self.driver.find_element(By.CSS_SELECTOR, ".confirm-code .code").text.strip()
            self.require("cadre: the record shows an 8-character confirmation code", len(code) == 8, repr(code))
            self.record.update(code=code, path=self.path())
            self.screenshot(os.path.join(self.out, "cas-1-record.png"))
            self.logout_and_check("cadre")

        self.scenario("cas-cadre", body)

    def student_confirms(self):
        """2. On a phone, the student signed out opens /c/CODE and signs in through CAS."""
        def body():
            self.require("student: a confirmation code was shown", "code" in self.record)
            code = self.record["code"]
            self.driver.set_window_size(*PHONE)
            self.fresh_session()
            self.callback_tickets()  # empties the network log
            self.open("/c/" + code)
            self.wait_for_path("/login")
            self.check("student: signed out, /c/CODE leads to /login?next=/c/CODE",
                       query_of(self.driver.current_url).get("next") == "/c/" + code, self.driver.current_url)
            link = self.cas_link()
            self.require(f"student: the sign-in page offers {CAS_LINK_TEXT}", link is not None)
            self.check(f"student: the link reads {CAS_LINK_TEXT}", link.text.strip() == CAS_LINK_TEXT, repr(link.text))
            self.check("student: the link carries next=/c/CODE",
                       query_of(link.get_attribute("href")).get("next") == "/c/" + code, link.get_attribute("href"))
            self.screenshot(os.path.join(self.out, "cas-2-login-phone.png"))
            link.click()
            self.wait(lambda d: self.on_cas() and d.execute_script("return document.readyState") == "complete",
                      "the CAS login page")
            service = query_of(self.driver.current_url).get("service", "")
            self.check("student: CAS is asked for our callback as the service",
                       service.split("?")[0] == self.base + "/login/cas/callback", service)
            self.check("student: the callback carries next=/c/CODE", query_of(service).get("next") == "/c/" + code, service)
            overflow = self.driver.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
            self.check("student: the CAS form fits the phone", overflow <= 0, f"{overflow}px too wide")
            self.screenshot(os.path.join(self.out, "cas-3-cas-form-phone.png"))
            self.sign_in_at_cas("student", self.student_number, STUDENT_CAS_PASSWORD)
            self.require("student: back on /c/CODE", self.on_yixian("/c/" + code), self.driver.current_url)
            role = self.body_attr("data-user-role")
            self.require("student: signed in as a student", role == "student", f"data-user-role={role!r}")
            self.tickets = self.callback_tickets()
            self.check("student: CAS sent one ticket to the callback", len(self.tickets) == 1, repr(self.tickets))
            self.screenshot(os.path.join(self.out, "cas-4-confirm-phone.png"))
            button = self.wait(lambda d: d.find_element(By.CSS_SELECTOR, "button.big"), "the confirm button")
            old_html = self.driver.find_element(By.TAG_NAME, "html")
            button.click()
            self.wait(lambda d: _is_stale(old_html), "the confirmation to submit")
            self.check("student: the confirmation is accepted (已确认)", "已确认" in self.driver.page_source)
            self.screenshot(os.path.join(self.out, "cas-5-confirmed-phone.png"))
            # Signed out of Yixian, but still signed in at CAS: one tap signs them back in.
            self.logout_and_check("student")
            self.open("/login?next=%2Fcases")
            link = self.cas_link()
            self.require(f"student sso: the sign-in page offers {CAS_LINK_TEXT}", link is not None)
            link.click()
            self.wait(lambda d: self.on_yixian("/cases") and d.execute_script("return document.readyState") == "complete",
                      "single sign-on back to /cases")
            self.check("student sso: signed in again without the CAS form", self.body_attr("data-user-role") == "student",
                       self.body_attr("data-user-role"))
            self.tickets += [t for t in self.callback_tickets() if t not in self.tickets]
            self.logout_and_check("student-sso")

        self.scenario("cas-student", body)

    def replays(self):
        """3. The browser's ticket again, in a fresh session; a forged ticket."""
        def body():
            self.require("replay: a ticket was seen in step 2", bool(self.tickets))
            self.driver.set_window_size(*PHONE)
            self.fresh_session()
            next_path = urllib.parse.quote("/c/" + self.record.get("code", ""), safe="")
            self.open(f"/login/cas/callback?ticket={urllib.parse.quote(self.tickets[0], safe='')}&next={next_path}")
            self.status_page("replay", 401)
            self.screenshot(os.path.join(self.out, "cas-6-replay-401-phone.png"))
            self.check("replay: still signed out afterwards", self.signed_out(), self.driver.current_url)
            self.fresh_session()
            self.open("/login/cas/callback?ticket=ST-1700000000-forgedforgedforgedforgedforgedfo&next=%2F")
            self.status_page("forged", 401)
            self.check("forged: still signed out afterwards", self.signed_out(), self.driver.current_url)

        self.scenario("cas-replay", body)

    def nobody(self):
        """4. A CAS user with no account in Yixian."""
        def body():
            self.driver.set_window_size(*DESKTOP)
            self.fresh_session()
            self.open("/login")
            link = self.cas_link()
            self.require(f"nobody: the sign-in page offers {CAS_LINK_TEXT}", link is not None)
            link.click()
            self.sign_in_at_cas("nobody", NOBODY, NOBODY_CAS_PASSWORD)
            self.require("nobody: CAS sends them back to the callback", self.on_yixian(), self.driver.current_url)
            self.status_page("nobody", 403)
            self.check("nobody: the page says there is no account here", "账号" in self.main_text(), self.main_text()[:200])
            self.screenshot(os.path.join(self.out, "cas-7-unknown-403.png"))
            self.check("nobody: still signed out afterwards", self.signed_out(), self.driver.current_url)

        self.scenario("cas-nobody", body)

    def upload(self, kind, rows, label):
        """The office uploads a roster file on /import/KIND, confirms it, and waits for the outcome."""
        path = os.path.join(self.out, f"golive-{kind}.csv")
        with open(path, "w", encoding="utf-8-sig") as f:
            f.write("\n".join(",".join(row) for row in rows) + "\n")
        self.open(f"/import/{kind}")
        self.driver.find_element(By.NAME, "file").send_keys(path)
        old_html = self.driver.find_element(By.TAG_NAME, "html")
        self.driver.find_element(By.CSS_SELECTOR, f"form[action='/import/{kind}'] button[type=submit]").click()
        self.wait(lambda d: _is_stale(old_html), f"the {kind} check")
        button = self.wait(lambda d: d.find_element(By.CSS_SELECTOR, "button[name=mode][value=all]"), f"the {kind} import button")
        old_html = self.driver.find_element(By.TAG_NAME, "html")
        button.click()
        self.wait(lambda d: _is_stale(old_html), f"the {kind} import")
        for _ in range(60):
            if self.driver.find_elements(By.ID, "outcome"):
                break
            time.sleep(0.5)
            self.driver.refresh()
        outcome = self.driver.find_elements(By.ID, "outcome")
        self.require(f"{label}: the import finishes", bool(outcome))
        return outcome[0].text

    def go_live(self):
        """Going live (issue 12): the office imports a cadre and a student, their accounts appear, the
        new cadre activates and records a visit, the new student signs in through CAS and confirms
        it, and the vice president for student work opens the school view."""
        found = self.college
        slip = {}

        def office_imports():
            self.require("golive: the demo has a college with a class", found is not None, repr(found))
            college_code, college_name, class_code, _ = found
            self.driver.set_window_size(*DESKTOP)
            self.fresh_session()
            self.submit_login("office", PASSWORD)
            self.wait_for_path("/")
            text = self.upload("cadres", [["工号", "姓名", "单位代码", "职务", "职级", "是否党员", "标签"],
                                          [NEW_STAFF, "林新", college_code, "党委副书记", "deputy-director", "是", "student-work"]], "golive cadre")
            self.check("golive: importing the cadre made their account", "新建账号 1 个" in text, text[:200])
            text = self.upload("students", [["学号", "姓名", "所属单位代码", "所在集体代码"], [NEW_STUDENT, "苏晴", college_code, class_code]],
                               "golive student")
            self.check("golive: importing the student made their account", "新建账号 1 个" in text, text[:200])
            self.open("/admin/accounts")
            form = self.driver.find_element(By.CSS_SELECTOR, "form[action='/admin/accounts/codes']")
            from selenium.webdriver.support.ui import Select
            Select(form.find_element(By.NAME, "who")).select_by_value("cadres")
            Select(form.find_element(By.NAME, "unit")).select_by_visible_text(college_name)
            old_html = self.driver.find_element(By.TAG_NAME, "html")
            form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
            self.wait(lambda d: _is_stale(old_html), "the slips")
            mine = self.driver.find_elements(By.CSS_SELECTOR, f".slip[data-username='{NEW_STAFF}'] [data-code]")
            self.require("golive: a slip is printed for the new cadre", bool(mine))
            slip["code"] = mine[0].get_attribute("data-code")
            self.screenshot(os.path.join(self.out, "golive-1-slips.png"))
            self.logout_and_check("golive-office")

        def cadre_activates_and_records():
            self.require("golive: the new cadre has a code", "code" in slip)
            _, _, class_code, _ = found
            self.driver.set_window_size(*PHONE)
            self.fresh_session()
            self.open("/activate")
            self.driver.find_element(By.NAME, "username").send_keys(NEW_STAFF)
            self.driver.find_element(By.NAME, "code").send_keys(slip["code"])
            for name in ["password", "confirmation"]:
                self.driver.find_element(By.NAME, name).send_keys(NEW_CADRE_PASSWORD)
            old_html = self.driver.find_element(By.TAG_NAME, "html")
            self.driver.find_element(By.CSS_SELECTOR, "form[action='/activate'] button[type=submit]").click()
            self.wait(lambda d: _is_stale(old_html), "the activation")
            self.require("golive: the new cadre is signed in", self.body_attr("data-user-role") == "cadre", self.body_attr("data-user-role"))
            self.open("/ledger/new?kind=dorm-visit")
            self.driver.find_element(By.NAME, "place").send_keys("桂园2舍")
            box = self.driver.find_elements(By.CSS_SELECTOR, f"input[name='collectiveCodes[]'][value='{class_code}']")
            self.require("golive: the new cadre may record for their college's class", bool(box))
            self.driver.execute_script("arguments[0].click()", box[0])
            count = self.driver.find_element(By.NAME, "participantCount")
            count.clear()
            count.send_keys("3")
            old_html = self.driver.find_element(By.TAG_NAME, "html")
            self.driver.find_element(By.CSS_SELECTOR, "button[value=submit]").click()
            self.wait(lambda d: _is_stale(old_html), "the record")
            code = self.driver.find_elements(By.CSS_SELECTOR, ".confirm-code .code")
            self.require("golive: the record shows its confirmation code", bool(code))
            slip["record"] = code[0].text.strip()
            self.screenshot(os.path.join(self.out, "golive-2-record-phone.png"))
            self.logout_and_check("golive-cadre")

        def student_confirms_through_cas():
            self.require("golive: the visit was recorded", "record" in slip)
            self.driver.set_window_size(*PHONE)
            self.fresh_session()
            self.open("/c/" + slip["record"])
            self.wait_for_path("/login")
            link = self.cas_link()
            self.require("golive: the sign-in page offers CAS", link is not None)
            link.click()
            self.wait(lambda d: self.on_cas() and d.execute_script("return document.readyState") == "complete", "the CAS login page")
            self.sign_in_at_cas("golive-student", NEW_STUDENT, NEW_STUDENT_CAS_PASSWORD)
            self.require("golive: the imported student is back on the confirmation page", self.on_yixian("/c/" + slip["record"]),
                         self.driver.current_url)
            button = self.wait(lambda d: d.find_element(By.CSS_SELECTOR, "button.big"), "the confirm button")
            old_html = self.driver.find_element(By.TAG_NAME, "html")
            button.click()
            self.wait(lambda d: _is_stale(old_html), "the confirmation")
            self.check("golive: the imported student's confirmation is accepted", "已确认" in self.driver.page_source)
            self.screenshot(os.path.join(self.out, "golive-3-confirmed-phone.png"))
            self.logout_and_check("golive-student")

        def vice_president_reads_the_school():
            self.driver.set_window_size(*DESKTOP)
            self.fresh_session()
            self.submit_login("leader", PASSWORD)
            self.wait_for_path("/")
            self.open("/compliance")
            self.check("golive: the vice president for student work opens the school view",
                       self.body_attr("data-status") == "200" and "全校落实情况" in self.driver.page_source, self.body_attr("data-status"))
            self.screenshot(os.path.join(self.out, "golive-4-vice-president.png"))
            self.logout_and_check("golive-leader")

        self.scenario("golive-office", office_imports)
        self.scenario("golive-cadre", cadre_activates_and_records)
        self.scenario("golive-student", student_confirms_through_cas)
        self.scenario("golive-leader", vice_president_reads_the_school)

    def run(self):
        self.redirect_to_cas()
        self.cadre_records()
        self.student_confirms()
        self.replays()
        self.replay_over_http()
        self.nobody()
        self.go_live()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bin", help="the yixian binary")
    parser.add_argument("--out", default="artifacts/screenshots", help="screenshot folder")
    parser.add_argument("--port", type=int, default=18095, help="loopback port for Yixian")
    parser.add_argument("--cas-port", type=int, default=18900, help="loopback port for the CAS server")
    parser.add_argument("--timeout", type=float, default=60, help="seconds to wait for a page")
    parser.add_argument("--chromium", default=os.environ.get("CHROMIUM", "/usr/bin/chromium"))
    parser.add_argument("--chromedriver", default=os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
    parser.add_argument("--selftest", action="store_true", help="check the CAS server alone (no Yixian, no browser)")
    args = parser.parse_args()

    def terminated(signum, frame):
        raise SystemExit(128 + signum)
    # A CI timeout's SIGTERM still runs the finally blocks: the servers and the browser go with us.
    signal.signal(signal.SIGTERM, terminated)
    if args.selftest:
        return selftest(args.cas_port)
    if not args.bin or not os.access(args.bin, os.X_OK):
        print(f"FAIL  --bin {args.bin} is not an executable file", flush=True)
        print("0 passed, 1 failed", flush=True)
        return 1
    binary = os.path.abspath(args.bin)
    # Uploads hand ChromeDriver a file path, and it takes only absolute ones.
    args.out = os.path.abspath(args.out)
    os.makedirs(args.out, exist_ok=True)

    from selenium.common.exceptions import WebDriverException
    started = time.monotonic()
    workdir = tempfile.mkdtemp(prefix="yixian-cas.")
    yixian = Yixian(binary, args.port, workdir)
    cas = CAS(args.cas_port)
    journey = Smoke(None, yixian.base, args.out, args.timeout)  # counts the checks until the browser is up
    driver = None
    try:
        try:
            error = cas.start([(NOBODY, NOBODY_CAS_PASSWORD)], reset=True)
            journey.require("the CAS server starts (scripts/start-cas.sh)", error is None, error or "")
            up = time.monotonic()
            error = yixian.start(cas.base, timeout=240)
            journey.require("the Yixian demo server starts with YIXIAN_CAS_URL", error is None, error or "")
            say(f"Yixian up in {time.monotonic() - up:.1f} s")
            number = yixian.student_number()
            journey.require("the demo `student` account is linked to a student number", bool(number), repr(number))
            say(f"the demo student's number, their CAS user name: {number}")
            error = cas.start([(number, STUDENT_CAS_PASSWORD), (NEW_STUDENT, NEW_STUDENT_CAS_PASSWORD)])
            journey.require("the student is a CAS user", error is None, error or "")
            try:
                driver = make_driver(args)
            except WebDriverException as error:
                journey.require("start headless Chromium", False, error.msg)
            counts = (journey.passed, journey.failed)
            journey = Journey(driver, yixian, cas, args.out, args.timeout)
            journey.passed, journey.failed = counts
            journey.student_number = number
            journey.college = yixian.college_and_class()
            journey.run()
        except CheckFailed:
            pass
        except SystemExit as stop:  # SIGTERM (a CI timeout): clean up and still say so
            journey.check("the journey finishes before it is terminated", False, f"exit {stop.code}")
        except Exception as error:  # noqa: BLE001 - reported as a failure, never a hang or a missing summary
            journey.check("the journey runs without an unexpected error", False, f"{type(error).__name__}: {error}")
    finally:
        status, tails = tear_down(driver, workdir, args.out, [(yixian, "cas-yixian-server.log"), (cas, "cas-server.log")])
    return summarise(journey, started, status, tails, args.out, stopped="the Yixian server stops on SIGTERM at the end")


if __name__ == "__main__":
    sys.exit(main())
