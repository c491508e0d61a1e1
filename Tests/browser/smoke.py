#!/usr/bin/env python3
"""Browser smoke test for a running Yixian demo server (headless Chromium + Selenium).

Logs in as every demo account, checks the home page (language, role, heading,
no error page), saves a screenshot, logs out; plus a wrong password, a student
denied an admin page, and the cadre on a phone-sized window.
Prints one line per check and `N passed, M failed`; exits 1 if anything failed.

    python3 Tests/browser/smoke.py --base http://127.0.0.1:18080 --out artifacts/screenshots
    python3 Tests/browser/smoke.py --selftest --out /tmp/shots   # browser stack only, no server
"""
import argparse
import base64
import os
import re
import struct
import sys
import time
import urllib.parse
import zlib

from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

PASSWORD = "yixian2026"
# Demo username -> role code the server puts on <body data-user-role>.
ACCOUNTS = [
    ("admin", "system-admin"),
    ("security", "security-admin"),
    ("audit", "audit-admin"),
    ("office", "business-admin"),
    ("secretary", "unit-secretary"),
    ("cadre", "cadre"),
    ("leader", "cadre"),
    ("assessor", "assessor"),
    ("student", "student"),
]
DESKTOP = (1280, 900)
PHONE = (390, 844)
# Where the office sends the reopen journey's 生活 case (the category routes nowhere by itself).
REOPEN_UNIT = "后勤管理处"
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
# Keeps a runaway page from producing a gigantic PNG.
MAX_SCREENSHOT_HEIGHT = 10000


class CheckFailed(Exception):
    """A check's own failure, as opposed to the browser erroring out."""


class Smoke:
    def __init__(self, driver, base, out, timeout):
        self.driver = driver
        self.base = base.rstrip("/")
        self.out = out
        self.timeout = timeout
        self.passed = 0
        self.failed = 0

    # --- reporting ----------------------------------------------------------

    def check(self, name, ok, detail=""):
        if ok:
            self.passed += 1
            print(f"PASS  {name}", flush=True)
        else:
            self.failed += 1
            print(f"FAIL  {name}" + (f" ({detail})" if detail else ""), flush=True)
        return ok

    def require(self, name, ok, detail=""):
        """A check whose failure makes the rest of its scenario meaningless."""
        if not self.check(name, ok, detail):
            raise CheckFailed(name)

    def scenario(self, label, body):
        """Runs one scenario; a timeout or browser error fails it without stopping the others."""
        try:
            body()
        except CheckFailed:
            self.keep_evidence(label)
        except WebDriverException as error:
            message = error.msg.splitlines()[0] if error.msg else ""
            self.check(f"{label}: no timeout or browser error", False,
                       f"{type(error).__name__}: {message}")
            self.keep_evidence(label)
        finally:
            # Next scenario starts logged out whatever happened here.
            try:
                self.driver.delete_all_cookies()
            except WebDriverException:
                pass

    def keep_evidence(self, label):
        """Screenshot and HTML of the page a scenario failed on, for the CI artifacts."""
        try:
            stem = os.path.join(self.out, f"FAIL-{label}")
            self.screenshot(stem + ".png")
            with open(stem + ".html", "w", encoding="utf-8") as f:
                f.write(self.driver.page_source)
            print(f"      at {self.driver.current_url}; evidence: {stem}.png, {stem}.html", flush=True)
        except (WebDriverException, OSError) as error:
            print(f"      (could not save evidence: {error})", flush=True)

    # --- browser helpers ----------------------------------------------------

    def wait(self, condition, what):
        return WebDriverWait(self.driver, self.timeout, poll_frequency=0.1).until(
            condition, message=f"waited {self.timeout}s for {what}")

    def path(self):
        return urllib.parse.urlsplit(self.driver.current_url).path

    def wait_for_path(self, path):
        """Waits until the browser is on `path` and that page has finished loading."""
        self.wait(lambda d: self.path() == path
                  and d.execute_script("return document.readyState") == "complete",
                  f"page {path}")

    def open(self, path):
        self.driver.get(self.base + path)
        self.wait(lambda d: d.execute_script("return document.readyState") == "complete",
                  f"{path} to load")

    def body_attr(self, name):
        return self.driver.find_element(By.TAG_NAME, "body").get_attribute(name)

    def screenshot(self, file):
        """Whole-page PNG (not just the viewport), via the DevTools protocol."""
        metrics = self.driver.execute_cdp_cmd("Page.getLayoutMetrics", {})
        size = metrics.get("cssContentSize") or metrics["contentSize"]
        width = max(1, int(size["width"]))
        height = max(1, min(int(size["height"]), MAX_SCREENSHOT_HEIGHT))
        shot = self.driver.execute_cdp_cmd("Page.captureScreenshot", {
            "format": "png",
            "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1},
        })
        with open(file, "wb") as f:
            f.write(base64.b64decode(shot["data"]))
        return os.path.getsize(file)

    def submit_login(self, username, password):
        self.open("/login")
        user = self.wait(lambda d: d.find_element(By.CSS_SELECTOR, "input[name=username]"),
                         "the username field")
        user.clear()
        user.send_keys(username)
        secret = self.driver.find_element(By.CSS_SELECTOR, "input[name=password]")
        secret.clear()
        secret.send_keys(password)
        # The page may hold other forms (language switch…); use the login form's own button.
        form = secret.find_element(By.XPATH, "./ancestor::form")
        button = form.find_element(By.CSS_SELECTOR, "button[type=submit]")
        old_html = self.driver.find_element(By.TAG_NAME, "html")
        button.click()
        # The POST always yields a new document; waiting for the old one to go stale
        # avoids reading the login page we are leaving.
        self.wait(lambda d: _is_stale(old_html), "the login form to submit")

    # --- case (诉求) helpers, shared with escalation.py -----------------------

    def submit(self, form, what):
        """Presses a form's own submit button and waits for the document it yields."""
        old_html = self.driver.find_element(By.TAG_NAME, "html")
        form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        self.wait(lambda d: _is_stale(old_html), what)

    def main_text(self):
        return self.driver.find_element(By.TAG_NAME, "main").get_attribute("textContent")

    def on_case_page(self):
        return re.fullmatch(r"/cases/[0-9A-Fa-f-]{36}", self.path()) is not None

    def case_form(self, action):
        """The case page's form for one step (assign, answer, rate…), or None when it is not offered."""
        forms = self.driver.find_elements(By.XPATH, f"//main//form[input[@name='action' and @value='{action}']]")
        return forms[0] if forms else None

    def case_facts(self):
        """The case page's facts panel (受理编号, 状态, 答复期限…) as {label: text}."""
        dl = self.driver.find_element(By.CSS_SELECTOR, "main dl.props")
        return {dt.get_attribute("textContent").strip(): dd.get_attribute("textContent").strip()
                for dt, dd in zip(dl.find_elements(By.TAG_NAME, "dt"), dl.find_elements(By.TAG_NAME, "dd"))}

    def case_tags(self):
        """The tags next to 状态 on the case page: the status, then the 督办 level if any."""
        for dt in self.driver.find_elements(By.CSS_SELECTOR, "main dl.props dt"):
            if dt.get_attribute("textContent").strip() == "状态":
                dd = dt.find_element(By.XPATH, "following-sibling::dd[1]")
                return [t.get_attribute("textContent").strip() for t in dd.find_elements(By.CSS_SELECTOR, ".tag")]
        return []

    def case_history(self):
        """The 办理经过 table as rows of [时间, 经办, 事项, 单位, 说明]."""
        # The first table after the heading (export links may stand between them).
        tables = self.driver.find_elements(By.XPATH, "//main//h2[normalize-space()='办理经过']/following-sibling::*[descendant-or-self::table][1]/descendant-or-self::table")
        if not tables:
            return []
        return [[td.get_attribute("textContent").strip() for td in tr.find_elements(By.TAG_NAME, "td")]
                for tr in tables[0].find_elements(By.CSS_SELECTOR, "tbody tr")]

    def queue_row(self, query, number):
        """Opens the /cases queue with `query` and returns the row of case `number` as
        (cells' texts, tags in the row, the row's link), or None when it is not listed."""
        self.open("/cases" + (("?" + query) if query else ""))
        for tr in self.driver.find_elements(By.CSS_SELECTOR, "main table tbody tr"):
            cells = tr.find_elements(By.TAG_NAME, "td")
            if cells and cells[0].get_attribute("textContent").strip() == number:
                return ([c.get_attribute("textContent").strip() for c in cells],
                        [t.get_attribute("textContent").strip() for t in tr.find_elements(By.CSS_SELECTOR, ".tag")],
                        tr.find_element(By.TAG_NAME, "a"))
        return None

    def open_case_from_queue(self, query, number, label):
        """Finds case `number` in the /cases queue and follows its link to the case page."""
        row = self.queue_row(query, number)
        self.require(f"{label}: case {number} is listed in /cases?{query}", row is not None)
        row[2].click()
        self.wait(lambda d: self.on_case_page() and d.execute_script("return document.readyState") == "complete",
                  "the case page")
        return row

    def student_raises_case(self, label, category, title, text):
        """The demo student, signed in, follows 提出诉求 from their home page and sends a case to
        the office (not to a linked leader). Returns the case's number and page path."""
        self.submit_login("student", PASSWORD)
        self.wait_for_path("/")
        links = self.driver.find_elements(By.CSS_SELECTOR, "main a[href='/cases/new']")
        self.require(f"{label}: the student's home page offers 提出诉求", bool(links))
        links[0].click()
        self.wait_for_path("/cases/new")
        form = self.driver.find_element(By.CSS_SELECTOR, "main form[action='/cases/new']")
        to = form.find_elements(By.NAME, "cadreStaffNumber")
        if to:  # linked leaders are offered; this case goes to the office
            Select(to[0]).select_by_value("")
        Select(form.find_element(By.NAME, "category")).select_by_value(category)
        form.find_element(By.NAME, "title").send_keys(title)
        form.find_element(By.NAME, "text").send_keys(text)
        self.submit(form, "the case to be sent")
        self.require(f"{label}: sending the case opens its page", self.on_case_page(), self.driver.current_url)
        facts = self.case_facts()
        number = facts.get("受理编号", "")
        self.check(f"{label}: the case has a tracking number", re.fullmatch(r"YX-\d{8}-\d{6}", number) is not None,
                   repr(number))
        self.check(f"{label}: it comes from the student portal", facts.get("来源") == "学生门户", repr(facts.get("来源")))
        self.check(f"{label}: it waits for the office to dispatch it", self.case_tags()[:1] == ["待分派"], repr(self.case_tags()))
        return number, self.path()

    def office_dispatches(self, label, number, category, unit_name):
        """The office finds a new case in its queue and gives it to `unit_name`; leaves the browser on the case page."""
        self.submit_login("office", PASSWORD)
        self.wait_for_path("/")
        self.open_case_from_queue(f"status=new&category={category}", number, label)
        form = self.case_form("assign")
        self.require(f"{label}: the office may dispatch the case", form is not None)
        Select(form.find_element(By.NAME, "unitCode")).select_by_visible_text(unit_name)
        self.submit(form, "the dispatch")
        self.check(f"{label}: the dispatch is saved", "已保存" in self.main_text())
        facts = self.case_facts()
        self.check(f"{label}: the case is with {unit_name}", facts.get("责任单位") == unit_name, repr(facts.get("责任单位")))
        self.check(f"{label}: the case is in progress", self.case_tags()[:1] == ["办理中"], repr(self.case_tags()))

    def answer_case(self, label, text):
        """On the case page: answers it (办结) and checks it now waits for the student's rating."""
        form = self.case_form("answer")
        self.require(f"{label}: the handler may answer the case", form is not None)
        form.find_element(By.NAME, "answer").send_keys(text)
        self.submit(form, "the answer")
        self.check(f"{label}: the answer is saved", "已保存" in self.main_text())
        self.check(f"{label}: the case waits for the student's rating", self.case_tags()[:1] == ["待评价"], repr(self.case_tags()))
        self.check(f"{label}: the answer is shown", text in self.main_text())

    def rate_case(self, label, rating, comment):
        """On the case page: the student rates the answer."""
        form = self.case_form("rate")
        self.require(f"{label}: the student may rate the answer", form is not None)
        choice = Select(form.find_element(By.NAME, "rating"))
        offered = {o.get_attribute("value"): o.get_attribute("textContent").strip() for o in choice.options}
        self.require(f"{label}: the rating offers 满意 / 基本满意 / 不满意",
                     offered == {"satisfied": "满意", "basically-satisfied": "基本满意", "dissatisfied": "不满意"}, repr(offered))
        choice.select_by_value(rating)
        form.find_element(By.NAME, "comment").send_keys(comment)
        self.submit(form, "the rating")
        self.check(f"{label}: the rating is saved", "已保存" in self.main_text())

    # --- scenarios ----------------------------------------------------------

    def login_and_check_home(self, username, role, label, screenshot_name):
        self.submit_login(username, PASSWORD)
        try:
            self.wait_for_path("/")
        except WebDriverException:
            self.require(f"{label}: login lands on /", False,
                         f"stayed on {self.driver.current_url}")
        self.check(f"{label}: login lands on /", True)

        lang = self.driver.find_element(By.TAG_NAME, "html").get_attribute("lang")
        self.check(f"{label}: <html lang> is zh-CN", lang == "zh-CN", f"got {lang!r}")

        actual_role = self.body_attr("data-user-role")
        self.check(f"{label}: body data-user-role is {role}", actual_role == role,
                   f"got {actual_role!r}")

        headings = [h.text.strip() for h in self.driver.find_elements(By.TAG_NAME, "h1")]
        self.check(f"{label}: has an h1 with Chinese text",
                   any(CJK.search(h) for h in headings), f"h1s: {headings!r}")

        errors = self.driver.find_elements(By.CSS_SELECTOR, ".error-page")
        self.check(f"{label}: no .error-page", not errors, f"{len(errors)} found")

        file = os.path.join(self.out, f"{screenshot_name}.png")
        size = self.screenshot(file)
        self.check(f"{label}: screenshot {file}", size > 1000, f"{size} bytes")

    def logout_and_check(self, label):
        forms = self.driver.find_elements(By.CSS_SELECTOR, 'form[action="/logout"]')
        self.require(f"{label}: page has a logout form", bool(forms))
        form = forms[0]
        old_html = self.driver.find_element(By.TAG_NAME, "html")
        # requestSubmit works even when the button is tucked into a collapsed phone menu.
        self.driver.execute_script(
            "arguments[0].requestSubmit ? arguments[0].requestSubmit() : arguments[0].submit()", form)
        self.wait(lambda d: _is_stale(old_html), "the logout form to submit")
        self.open("/")
        try:
            self.wait_for_path("/login")
            ok = True
        except WebDriverException:
            ok = False
        self.check(f"{label}: after logout / redirects to /login", ok,
                   f"at {self.driver.current_url}")

    def account(self, username, role, size, suffix=""):
        label = username + suffix

        def body():
            self.driver.set_window_size(*size)
            self.login_and_check_home(username, role, label, label)
            if size == PHONE:
                overflow = self.driver.execute_script(
                    "return document.documentElement.scrollWidth - window.innerWidth")
                self.check(f"{label}: page fits the phone width (no sideways scrolling)",
                           overflow <= 0, f"{overflow}px too wide")
            self.logout_and_check(label)

        self.scenario(label, body)

    def wrong_password(self):
        def body():
            self.driver.set_window_size(*DESKTOP)
            self.submit_login("admin", PASSWORD + "-wrong")
            self.wait(lambda d: d.execute_script("return document.readyState") == "complete",
                      "the page after a wrong password")
            self.check("wrong password: login page shown again",
                       bool(self.driver.find_elements(By.CSS_SELECTOR, "input[name=password]")),
                       f"at {self.driver.current_url}")
            self.check("wrong password: .error-summary shown",
                       bool(self.driver.find_elements(By.CSS_SELECTOR, ".error-summary")))
            self.check("wrong password: not logged in", self.body_attr("data-user-role") in (None, "", "anonymous"),
                       f"data-user-role={self.body_attr('data-user-role')!r}")

        self.scenario("wrong-password", body)

    def student_forbidden(self):
        def body():
            self.driver.set_window_size(*DESKTOP)
            self.submit_login("student", PASSWORD)
            self.wait_for_path("/")
            self.open("/admin/users")
            status = self.body_attr("data-status")
            self.check("student on /admin/users: body data-status is 403", status == "403",
                       f"got {status!r} at {self.driver.current_url}")

        self.scenario("student-forbidden", body)

    @staticmethod
    def png(width, height, rgb):
        """A valid PNG of one colour, built here so the photos are real images."""
        def chunk(kind, data):
            return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
        return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))

    def ledger_journey(self):
        """Issue 4's journey: a cadre on a phone logs a dorm visit with two photos, a student
        confirms it, an assessor sees the record with its evidence."""
        record = {}

        def cadre():
            self.driver.set_window_size(*PHONE)
            files = []
            for i, data in enumerate([self.png(64, 48, (200, 120, 40)), self.png(48, 64, (40, 120, 200))]):
                path = os.path.abspath(os.path.join(self.out, f"photo-{i}.png"))
                with open(path, "wb") as f:
                    f.write(data)
                files.append(path)
            self.submit_login("cadre", PASSWORD)
            self.wait_for_path("/")
            started = time.monotonic()
            self.open("/ledger")
            quick = self.driver.find_elements(By.CSS_SELECTOR, "a.quick-button")
            self.require("journey: the ledger offers quick buttons", len(quick) >= 3, f"{len(quick)} found")
            quick[0].click()
            self.wait_for_path("/ledger/new")
            self.driver.find_element(By.NAME, "place").send_keys("梅园3舍402")
            linked = [box for box in self.driver.find_elements(By.CSS_SELECTOR, "input[name='collectiveCodes[]']")
                      if "联系" in box.find_element(By.XPATH, "./..").text]
            self.require("journey: the cadre's linked collectives are offered", bool(linked))
            for box in linked:
                if not box.is_selected():
                    self.driver.execute_script("arguments[0].click()", box)
            self.driver.find_element(By.NAME, "photos[]").send_keys("\n".join(files))
            count = self.driver.find_element(By.NAME, "participantCount")
            count.clear()
            count.send_keys("6")
            self.driver.find_element(By.NAME, "summary").send_keys("走访宿舍，了解期末复习情况")
            self.driver.find_element(By.NAME, "problems").send_keys("后勤：梅园3舍热水器漏水")
            old_html = self.driver.find_element(By.TAG_NAME, "html")
            self.driver.find_element(By.CSS_SELECTOR, "button[value=submit]").click()
            self.wait(lambda d: _is_stale(old_html), "the record form to submit")
            self.wait(lambda d: re.fullmatch(r"/ledger/[0-9A-Fa-f-]{36}", self.path()) is not None, "the record page")
            elapsed = time.monotonic() - started
            self.check("journey: dorm visit with two photos logged in under a minute", elapsed < 60, f"{elapsed:.1f} s")
            record["path"] = self.path()
            record["code"] = self.driver.find_element(By.CSS_SELECTOR, ".confirm-code .code").text.strip()
            self.check("journey: the record shows a QR code", bool(self.driver.find_elements(By.CSS_SELECTOR, ".qr svg")))
            self.check("journey: both photos are attached", len(self.driver.find_elements(By.CSS_SELECTOR, ".thumbs img")) == 2)
            self.screenshot(os.path.join(self.out, "journey-record-phone.png"))
            self.logout_and_check("journey-cadre")

        def student():
            self.require("journey: a confirmation code was shown", len(record.get("code", "")) == 8, repr(record.get("code")))
            self.driver.set_window_size(*PHONE)
            self.submit_login("student", PASSWORD)
            self.wait_for_path("/")
            self.open("/c/" + record["code"])
            button = self.wait(lambda d: d.find_element(By.CSS_SELECTOR, "button.big"), "the confirm button")
            old_html = self.driver.find_element(By.TAG_NAME, "html")
            button.click()
            self.wait(lambda d: _is_stale(old_html), "the confirmation to submit")
            self.check("journey: the student's confirmation is accepted", "已确认" in self.driver.page_source)
            self.logout_and_check("journey-student")

        def assessor():
            self.require("journey: the record exists", "path" in record)
            self.driver.set_window_size(*DESKTOP)
            self.submit_login("assessor", PASSWORD)
            self.wait_for_path("/")
            self.open(record["path"])
            text = self.driver.find_element(By.TAG_NAME, "main").text
            self.check("journey: the assessor sees one student confirmation", "1 人" in text, text[:200])
            self.check("journey: the assessor sees the evidence", len(self.driver.find_elements(By.CSS_SELECTOR, ".thumbs img")) == 2)
            self.screenshot(os.path.join(self.out, "journey-record-assessor.png"))
            self.logout_and_check("journey-assessor")

        def office_answers():
            self.driver.set_window_size(*DESKTOP)
            self.submit_login("office", PASSWORD)
            self.wait_for_path("/")
            self.open("/cases?category=logistics")
            links = [a for a in self.driver.find_elements(By.CSS_SELECTOR, "main table a") if "热水器漏水" in a.text]
            self.require("journey: the dorm visit's problem became a case", bool(links))
            links[0].click()
            self.wait(lambda d: re.fullmatch(r"/cases/[0-9A-Fa-f-]{36}", self.path()) is not None, "the case page")
            record["case"] = self.path()
            main = self.driver.find_element(By.TAG_NAME, "main").text
            self.check("journey: the case went to the logistics department", "后勤管理处" in main, main[:300])
            form = self.driver.find_element(By.XPATH, "//form[input[@name='action' and @value='answer']]")
            form.find_element(By.NAME, "answer").send_keys("已更换热水器阀门")
            old_html = self.driver.find_element(By.TAG_NAME, "html")
            form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
            self.wait(lambda d: _is_stale(old_html), "the answer")
            self.check("journey: the answer is saved", "已保存" in self.driver.page_source)
            self.logout_and_check("journey-office")

        def student_rates():
            self.require("journey: the case exists", "case" in record)
            self.driver.set_window_size(*PHONE)
            self.submit_login("student", PASSWORD)
            self.wait_for_path("/")
            self.open(record["case"])
            forms = self.driver.find_elements(By.XPATH, "//form[input[@name='action' and @value='rate']]")
            self.require("journey: the student who was there may rate the answer", bool(forms))
            Select(forms[0].find_element(By.NAME, "rating")).select_by_value("satisfied")
            old_html = self.driver.find_element(By.TAG_NAME, "html")
            forms[0].find_element(By.CSS_SELECTOR, "button[type=submit]").click()
            self.wait(lambda d: _is_stale(old_html), "the rating")
            self.check("journey: the rating closes the case", "已办结" in self.driver.page_source)
            self.screenshot(os.path.join(self.out, "journey-case-rated-phone.png"))
            self.logout_and_check("journey-student-rates")

        self.scenario("journey-cadre", cadre)
        self.scenario("journey-student", student)
        self.scenario("journey-assessor", assessor)
        self.scenario("journey-office-answers", office_answers)
        self.scenario("journey-student-rates", student_rates)

    def letter_journey(self):
        """Issue 9's journey: a student, not signed in, writes to the 校长信箱 on a phone and keeps
        the number and secret; the office dispatches and answers; the student follows up and rates."""
        letter = {}

        def write():
            self.driver.set_window_size(*PHONE)
            self.open("/mailbox")
            self.driver.find_element(By.NAME, "text").send_keys("食堂晚餐排队时间太长，希望增开窗口")
            Select(self.driver.find_element(By.NAME, "category")).select_by_value("logistics")
            old_html = self.driver.find_element(By.TAG_NAME, "html")
            self.driver.find_element(By.CSS_SELECTOR, "form[action='/mailbox'] button[type=submit]").click()
            self.wait(lambda d: _is_stale(old_html), "the letter to be sent")
            receipt = self.driver.find_elements(By.CSS_SELECTOR, "[data-receipt]")
            self.require("letter: a tracking number is shown", bool(receipt))
            letter["number"] = receipt[0].get_attribute("data-receipt")
            letter["secret"] = self.driver.find_element(By.CSS_SELECTOR, "[data-secret]").get_attribute("data-secret")
            overflow = self.driver.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
            self.check("letter: the receipt fits the phone width", overflow <= 0, f"{overflow}px too wide")
            self.screenshot(os.path.join(self.out, "letter-receipt-phone.png"))

        def handle():
            self.require("letter: it was sent", "number" in letter)
            self.driver.set_window_size(*DESKTOP)
            self.submit_login("office", PASSWORD)
            self.wait_for_path("/")
            self.open("/cases?status=new")
            links = [a for a in self.driver.find_elements(By.CSS_SELECTOR, "main table a")
                     if a.find_element(By.XPATH, "./ancestor::tr").text.startswith(letter["number"])]
            self.require("letter: the office sees it waiting for dispatch", bool(links))
            links[0].click()
            self.wait(lambda d: re.fullmatch(r"/cases/[0-9A-Fa-f-]{36}", self.path()) is not None, "the case page")
            self.check("letter: the case page says it is anonymous", "匿名" in self.driver.find_element(By.TAG_NAME, "main").text)
            for action in ["assign", "answer"]:
                form = self.driver.find_element(By.XPATH, f"//form[input[@name='action' and @value='{action}']]")
                if action == "answer":
                    form.find_element(By.NAME, "answer").send_keys("已协调后勤增开两个晚餐窗口")
                old_html = self.driver.find_element(By.TAG_NAME, "html")
                form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
                self.wait(lambda d: _is_stale(old_html), f"the {action} step")
                self.check(f"letter: the office's {action} is saved", "已保存" in self.driver.page_source)
            self.screenshot(os.path.join(self.out, "letter-case-office.png"))
            self.logout_and_check("letter-office")

        def follow_up():
            self.driver.set_window_size(*PHONE)
            self.open("/mailbox/track")
            self.driver.find_element(By.NAME, "number").send_keys(letter["number"])
            self.driver.find_element(By.NAME, "secret").send_keys(letter["secret"])
            old_html = self.driver.find_element(By.TAG_NAME, "html")
            self.driver.find_element(By.CSS_SELECTOR, "form[action='/mailbox/track'] button[type=submit]").click()
            self.wait(lambda d: _is_stale(old_html), "the look-up")
            self.check("letter: the student reads the answer", "增开两个晚餐窗口" in self.driver.page_source)
            Select(self.driver.find_element(By.NAME, "rating")).select_by_value("satisfied")
            old_html = self.driver.find_element(By.TAG_NAME, "html")
            self.driver.find_element(By.CSS_SELECTOR, "form[action='/mailbox/track/rate'] button[type=submit]").click()
            self.wait(lambda d: _is_stale(old_html), "the rating")
            self.check("letter: the rating is taken", "评价已提交" in self.driver.page_source)
            self.screenshot(os.path.join(self.out, "letter-rated-phone.png"))

        self.scenario("letter-write", write)
        self.scenario("letter-office", handle)
        self.scenario("letter-follow-up", follow_up)


    def reopen_journey(self):
        """The loop closing only when the student says so: a student on a phone raises a case in the
        portal, the office dispatches and answers it, the student rates it 不满意 and it is reopened
        (once); the office answers again, a second 不满意 closes it."""
        case = {}
        first_answer = "已联系宿管中心，本周内为梅园3舍更换洗衣机"
        second_answer = "宿管中心已于周五更换两台洗衣机，并张贴报修电话"

        def raise_case():
            self.driver.set_window_size(*PHONE)
            number, path = self.student_raises_case("reopen", "life", "梅园3舍洗衣机坏了",
                                                    "梅园3舍一楼两台洗衣机坏了两周，报修后没人来修")
            case.update(number=number, path=path)
            overflow = self.driver.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
            self.check("reopen: the case page fits the phone width", overflow <= 0, f"{overflow}px too wide")
            self.screenshot(os.path.join(self.out, "reopen-1-raised-phone.png"))
            self.logout_and_check("reopen-student")

        def office_answers():
            self.require("reopen: the case was raised", "number" in case)
            self.driver.set_window_size(*DESKTOP)
            self.office_dispatches("reopen", case["number"], "life", REOPEN_UNIT)
            self.require("reopen: the office is on the case the student raised", self.path() == case["path"], self.path())
            self.answer_case("reopen", first_answer)
            self.screenshot(os.path.join(self.out, "reopen-2-answered.png"))
            self.logout_and_check("reopen-office")

        def student_dissatisfied():
            self.require("reopen: the case was raised", "number" in case)
            self.driver.set_window_size(*PHONE)
            self.submit_login("student", PASSWORD)
            self.wait_for_path("/")
            # The home page's 待我评价 card leads to the answered cases.
            cards = self.driver.find_elements(By.CSS_SELECTOR, "main .card a[href='/cases?status=answered']")
            self.require("reopen: the student's home page links the cases waiting for a rating", bool(cards))
            cards[0].click()
            self.wait_for_path("/cases")
            row = self.queue_row("status=answered", case["number"])
            self.require("reopen: the answered case is among those waiting for the student's rating", row is not None)
            row[2].click()
            self.wait(lambda d: self.on_case_page(), "the case page")
            self.check("reopen: the student reads the answer", first_answer in self.main_text())
            self.rate_case("reopen", "dissatisfied", "还是没有修好，洗衣机仍然不能用")
            tags = self.case_tags()
            self.check("reopen: 不满意 puts the case back in progress (办理中)", tags[:1] == ["办理中"], repr(tags))
            history = self.case_history()
            reopens = [r for r in history if r[2:3] == ["重新办理"]]
            self.check("reopen: the history says 学生不满意，重新办理",
                       len(reopens) == 1 and reopens[0][-1] == "学生不满意，重新办理", repr(history))
            ratings = [r for r in history if r[2:3] == ["学生评价"]]
            self.check("reopen: the history keeps the rating and its comment",
                       [r[-1] for r in ratings] == ["不满意：还是没有修好，洗衣机仍然不能用"], repr(ratings))
            self.check("reopen: the first answer is withdrawn from the page", first_answer not in self.main_text())
            self.check("reopen: no second rating is asked for while it is in progress", self.case_form("rate") is None)
            facts = self.case_facts()
            self.check("reopen: it is back with the unit it was given to", facts.get("责任单位") == REOPEN_UNIT,
                       repr(facts.get("责任单位")))
            self.screenshot(os.path.join(self.out, "reopen-3-reopened-phone.png"))
            self.logout_and_check("reopen-student-rates")

        def office_answers_again():
            self.require("reopen: the case was raised", "number" in case)
            self.driver.set_window_size(*DESKTOP)
            self.submit_login("office", PASSWORD)
            self.wait_for_path("/")
            # Reopened, it is back among the cases in progress.
            self.open_case_from_queue("status=assigned&category=life", case["number"], "reopen-again")
            self.check("reopen-again: the office sees why it came back",
                       any(r[2:3] == ["重新办理"] for r in self.case_history()), repr(self.case_history()))
            self.check("reopen-again: the office is not asked to dispatch it again", self.case_form("assign") is None)
            self.answer_case("reopen-again", second_answer)
            self.check("reopen-again: the old rating is not shown under the new answer", "学生评价：" not in self.main_text())
            self.logout_and_check("reopen-office-again")

        def student_dissatisfied_again():
            self.require("reopen: the case was raised", "path" in case)
            self.driver.set_window_size(*PHONE)
            self.submit_login("student", PASSWORD)
            self.wait_for_path("/")
            self.open(case["path"])
            self.check("reopen-again: the student reads the new answer", second_answer in self.main_text())
            self.rate_case("reopen-again", "dissatisfied", "换了，但排队还是很长")
            tags = self.case_tags()
            # A case is reopened once; the second 不满意 stands and closes it.
            self.check("reopen-again: a second 不满意 closes the case (已办结)", tags[:1] == ["已办结"], repr(tags))
            history = self.case_history()
            self.check("reopen-again: it was reopened only once",
                       sum(r[2:3] == ["重新办理"] for r in history) == 1, repr(history))
            ratings = [r[-1] for r in history if r[2:3] == ["学生评价"]]
            self.check("reopen-again: both ratings are in the history",
                       ratings == ["不满意：还是没有修好，洗衣机仍然不能用", "不满意：换了，但排队还是很长"], repr(ratings))
            self.check("reopen-again: the answer shows the final rating", "学生评价：不满意——换了，但排队还是很长" in self.main_text())
            self.check("reopen-again: nothing more to rate", self.case_form("rate") is None)
            self.screenshot(os.path.join(self.out, "reopen-4-closed-phone.png"))
            self.logout_and_check("reopen-student-closes")

        self.scenario("reopen-raise", raise_case)
        self.scenario("reopen-office", office_answers)
        self.scenario("reopen-dissatisfied", student_dissatisfied)
        self.scenario("reopen-office-again", office_answers_again)
        self.scenario("reopen-dissatisfied-again", student_dissatisfied_again)

    def activation_journey(self):
        """Accounts for the roster: the office prints activation slips for one college's cadres; a
        cadre who never signed in activates on a phone with the code, chooses a password and is in."""
        slip = {}

        def office_prints():
            self.driver.set_window_size(*DESKTOP)
            self.submit_login("office", PASSWORD)
            self.wait_for_path("/")
            self.open("/admin/accounts")
            cards = self.driver.find_element(By.TAG_NAME, "main").text
            self.check("activation: the page counts accounts not yet activated", "账号未激活" in cards, cards[:200])
            form = self.driver.find_element(By.CSS_SELECTOR, "form[action='/admin/accounts/codes']")
            Select(form.find_element(By.NAME, "who")).select_by_value("cadres")
            unit = Select(form.find_element(By.NAME, "unit"))
            colleges = [o for o in unit.options if "学院" in o.text]
            self.require("activation: colleges are offered", bool(colleges))
            unit.select_by_visible_text(colleges[0].text)
            old_html = self.driver.find_element(By.TAG_NAME, "html")
            form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
            self.wait(lambda d: _is_stale(old_html), "the slips")
            slips = self.driver.find_elements(By.CSS_SELECTOR, ".slip[data-username]")
            self.require("activation: slips are printed", bool(slips), self.driver.find_element(By.TAG_NAME, "main").text[:300])
            slip["username"] = slips[0].get_attribute("data-username")
            slip["code"] = slips[0].find_element(By.CSS_SELECTOR, "[data-code]").get_attribute("data-code")
            self.check("activation: each slip has a QR code of the activation page", bool(slips[0].find_elements(By.CSS_SELECTOR, "svg")))
            self.check("activation: the code reads as XXXXX-XXXXX", re.fullmatch(r"[A-Z2-9]{5}-[A-Z2-9]{5}", slip["code"] or "") is not None,
                       repr(slip.get("code")))
            self.screenshot(os.path.join(self.out, "activation-slips.png"))
            self.logout_and_check("activation-office")

        def cadre_activates():
            self.require("activation: a slip was printed", "code" in slip)
            self.driver.set_window_size(*PHONE)
            self.open("/login")
            self.driver.find_element(By.CSS_SELECTOR, "a[href='/activate']").click()
            self.wait_for_path("/activate")
            self.driver.find_element(By.NAME, "username").send_keys(slip["username"])
            # Typed as people do: lower case, no dash.
            self.driver.find_element(By.NAME, "code").send_keys(slip["code"].lower().replace("-", ""))
            for name in ["password", "confirmation"]:
                self.driver.find_element(By.NAME, name).send_keys("Xiangjiang-2026!")
            old_html = self.driver.find_element(By.TAG_NAME, "html")
            self.driver.find_element(By.CSS_SELECTOR, "form[action='/activate'] button[type=submit]").click()
            self.wait(lambda d: _is_stale(old_html), "the activation")
            self.check("activation: the cadre is signed in on their home page", self.path() == "/" and self.body_attr("data-user-role") == "cadre",
                       f"{self.path()} {self.body_attr('data-user-role')}")
            self.open("/ledger/new")
            self.check("activation: the new cadre can record a contact", bool(self.driver.find_elements(By.CSS_SELECTOR, "form.ledger-form")))
            self.screenshot(os.path.join(self.out, "activation-cadre-phone.png"))
            self.logout_and_check("activation-cadre")
            # The code is spent.
            self.open("/activate")
            self.driver.find_element(By.NAME, "username").send_keys(slip["username"])
            self.driver.find_element(By.NAME, "code").send_keys(slip["code"])
            for name in ["password", "confirmation"]:
                self.driver.find_element(By.NAME, name).send_keys("Another-pass-2026")
            old_html = self.driver.find_element(By.TAG_NAME, "html")
            self.driver.find_element(By.CSS_SELECTOR, "form[action='/activate'] button[type=submit]").click()
            self.wait(lambda d: _is_stale(old_html), "the second activation")
            self.check("activation: a used code is refused", self.body_attr("data-status") == "401", self.body_attr("data-status"))

        self.scenario("activation-office", office_prints)
        self.scenario("activation-cadre", cadre_activates)

    def phone_pages(self):
        """我的进度 and the unit matrix at 390 px: cards two by two, every menu entry visible, no sideways scroll."""
        for username, path, name in [("cadre", "/progress", "progress-390.png"), ("secretary", "/compliance", "unit-matrix-390.png")]:
            def body(username=username, path=path, name=name):
                self.driver.set_window_size(*PHONE)
                self.submit_login(username, PASSWORD)
                self.wait_for_path("/")
                self.open(path)
                overflow = self.driver.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
                self.check(f"phone {path}: the page does not scroll sideways", overflow <= 0, f"{overflow}px")
                hidden = self.driver.execute_script(
                    "return [...document.querySelectorAll('.sidenav a')].filter(a => a.getBoundingClientRect().right > window.innerWidth).length")
                self.check(f"phone {path}: every menu entry is on screen", hidden == 0, f"{hidden} off-screen")
                cards = self.driver.find_elements(By.CSS_SELECTOR, ".cards .card")
                tops = {round(c.rect["y"]) for c in cards[:4]}
                self.check(f"phone {path}: four stat cards in two rows", len(cards) >= 4 and len(tops) == 2, repr(tops))
                self.screenshot(os.path.join(self.out, name))
                self.logout_and_check(f"phone-{username}")
            self.scenario(f"phone-{username}", body)

    def fetch(self, path):
        """GET with the browser's session cookie: for downloads the browser would save to disk."""
        import urllib.request
        cookie = "; ".join(f"{c['name']}={c['value']}" for c in self.driver.get_cookies())
        request = urllib.request.Request(self.base + path, headers={"Cookie": cookie})
        with urllib.request.urlopen(request, timeout=self.timeout) as reply:
            return reply.status, reply.headers, reply.read()

    def dossier_journey(self):
        """An assessor prints a cadre's dossier (A4), and its .docx and .xlsx read back in python-docx and
        openpyxl with the figures of the page; the office packs a college's dossiers into a .zip."""
        import io
        import zipfile
        import docx
        import openpyxl
        state = {}

        def assessor():
            self.driver.set_window_size(*DESKTOP)
            self.submit_login("assessor", PASSWORD)
            self.wait_for_path("/")
            self.open("/dossiers")
            links = self.driver.find_elements(By.XPATH, "//a[contains(@href, '/dossiers/cadres/') and not(contains(@href, 'format='))]")
            self.require("dossier: the list links each cadre's dossier", len(links) > 100, f"{len(links)} links")
            href = links[0].get_attribute("href")
            self.driver.get(href)
            self.wait(lambda d: d.find_elements(By.CSS_SELECTOR, "main.a4 h1.doc-title"), "the dossier's title")
            text = self.driver.find_element(By.TAG_NAME, "main").text
            for heading in ["一、工作小结", "二、落实工作规定情况", "三、联系学生情况", "五、学生反映问题办理情况", "六、诚信核查"]:
                self.check(f"dossier: the page has {heading}", heading in text)
            rows = [[td.text for td in tr.find_elements(By.TAG_NAME, "td")]
                    for tr in self.driver.find_elements(By.XPATH, "//h2[text()='二、落实工作规定情况']/following-sibling::table[1]//tbody/tr")]
            self.check("dossier: the verdict table has rows", len(rows) > 0, f"{len(rows)} rows")
            narrative = self.driver.find_element(By.CSS_SELECTOR, ".narrative")
            narrative.click()
            narrative.send_keys(" 已对照检查。")
            self.check("dossier: the summary is editable before printing", "已对照检查" in narrative.text)
            self.screenshot(os.path.join(self.out, "dossier-a4.png"))
            path = urllib.parse.urlparse(href)
            base = path.path + ("?" + path.query if path.query else "")
            joiner = "&" if path.query else "?"
            status, headers, body = self.fetch(base + joiner + "format=docx")
            self.check("dossier: the .docx downloads", status == 200 and body[:2] == b"PK")
            document = docx.Document(io.BytesIO(body))
            paragraphs = [p.text for p in document.paragraphs]
            self.check("dossier: python-docx reads the title", any(p.endswith("同志联系学生工作考核材料") for p in paragraphs), repr(paragraphs[:2]))
            self.check("dossier: python-docx reads the headings", "二、落实工作规定情况" in paragraphs and "六、诚信核查" in paragraphs)
            table = document.tables[0]
            word_rows = [[cell.text for cell in row.cells] for row in table.rows[1:]]
            self.check("dossier: the Word table has the page's verdicts", word_rows == rows, f"{word_rows[:2]} vs {rows[:2]}")
            status, headers, body = self.fetch(base + joiner + "format=xlsx")
            workbook = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
            sheet = workbook["落实情况"]
            values = [list(r) for r in sheet.iter_rows(values_only=True)]
            self.check("dossier: openpyxl reads a title row", "考核材料" in str(values[0][0]))
            excel = [(r[0], r[5]) for r in values[2:] if r and r[0]]
            page = [(r[0].replace("（倡导性）", ""), r[4]) for r in rows]
            self.check("dossier: the workbook's verdicts are the page's", excel == page, f"{excel[:2]} vs {page[:2]}")
            self.open("/dossiers")  # the print page has no menu; sign out from the list
            self.logout_and_check("dossier-assessor")

        def office_batch():
            self.driver.set_window_size(*DESKTOP)
            self.submit_login("office", PASSWORD)
            self.wait_for_path("/")
            self.open("/dossiers")
            unit = Select(self.driver.find_element(By.NAME, "unit"))
            unit.select_by_index(2)
            chosen = unit.first_selected_option.text
            self.submit(self.driver.find_element(By.CSS_SELECTOR, "form.toolbar"), "the unit's list")
            count = len(self.driver.find_elements(By.XPATH, "//a[contains(@href, 'format=docx')]"))
            started = time.monotonic()
            self.submit(self.driver.find_element(By.XPATH, "//form[contains(@action, '/dossiers/batch')]"), "the batch")
            self.wait(lambda d: d.find_elements(By.CSS_SELECTOR, "#batch[data-state='done']"), "the batch to finish")
            self.screenshot(os.path.join(self.out, "dossier-batch.png"))
            link = self.driver.find_element(By.XPATH, "//a[contains(@href, '/download')]").get_attribute("href")
            status, headers, body = self.fetch(urllib.parse.urlparse(link).path)
            names = zipfile.ZipFile(io.BytesIO(body)).namelist()
            self.check(f"dossier batch: one document per cadre of {chosen}", len(names) == count and count > 0, f"{len(names)} files, {count} cadres")
            self.check("dossier batch: files are named by unit and cadre", all(n.startswith(chosen + "/") and n.endswith(".docx") for n in names), repr(names[:2]))
            print(f"      dossier batch of {count}: {time.monotonic() - started:.1f} s", flush=True)
            self.open("/dashboard")
            charts = self.driver.find_elements(By.CSS_SELECTOR, "svg.chart")
            self.check("dashboard: the term's charts are drawn", len(charts) >= 3, f"{len(charts)} charts")
            visited = self.driver.find_elements(By.CSS_SELECTOR, f"svg.chart rect[fill='#2da44e']")
            self.check("dashboard: some dorms or classes were visited this term", len(visited) > 0)
            self.screenshot(os.path.join(self.out, "dashboard.png"))
            self.logout_and_check("dossier-office")

        self.scenario("dossier-assessor", assessor)
        self.scenario("dossier-office", office_batch)

    def press(self, button, what):
        """Presses one submit button (a form with several) and waits for the document it yields."""
        old_html = self.driver.find_element(By.TAG_NAME, "html")
        button.click()
        self.wait(lambda d: _is_stale(old_html), what)

    def set_text(self, element, text):
        """Types a long text at once (send_keys would take a minute), as a person pasting it."""
        self.driver.execute_script("arguments[0].value = arguments[1];", element, text)

    def doc_status(self):
        return self.driver.find_element(By.ID, "doc-status").text

    def doc_table_rows(self, heading):
        """The rows of the first table after a heading of the A4 document."""
        table = self.driver.find_element(By.XPATH, f"//main//h2[starts-with(normalize-space(), '{heading}')]/following-sibling::table[1]")
        return [[td.text for td in tr.find_elements(By.TAG_NAME, "td")] for tr in table.find_elements(By.CSS_SELECTOR, "tbody tr")]

    def filing_document_journey(self):
        """A secretary opens the semester summary drafted from the data, edits and submits it; the office
        returns it with a comment; the secretary submits version 2; the office approves it and it is filed."""
        import io
        import docx
        state = {}

        def secretary_drafts():
            self.driver.set_window_size(*DESKTOP)
            self.submit_login("secretary", PASSWORD)
            self.wait_for_path("/")
            self.open("/filings")
            link = self.driver.find_element(By.XPATH, "//a[contains(@href, '/filings/documents')]")
            link.click()
            self.wait_for_path("/filings/documents")
            Select(self.driver.find_element(By.NAME, "kind")).select_by_value("semester-summary")
            term = Select(self.driver.find_element(By.NAME, "termCode"))
            state["term"] = term.first_selected_option.get_attribute("value")
            self.submit(self.driver.find_element(By.XPATH, "//form[@action='/filings/documents']"), "the drafted summary")
            state["doc"] = urllib.parse.urlparse(self.driver.current_url).path
            self.require("summary: a document page opens", state["doc"].startswith("/filings/documents/"), state["doc"])
            title = self.driver.find_element(By.CSS_SELECTOR, "main.a4 h1.doc-title").text
            self.check("summary: the drafted title names the term's summary", title.endswith("领导干部深入基层联系学生工作总结"), title)
            body = self.driver.find_element(By.ID, "body").get_attribute("value")
            for part in ("一、基本情况", "二、落实情况", "三、学生反映问题及办理情况", "四、存在的不足", "【请填写下一步工作打算】"):
                self.check(f"summary: the draft has {part}", part in body)
            filled = [c for c in body if not c.isspace()]
            prompt = sum(len(m) for m in re.findall(r"【[^】]*】", body))
            self.check("summary: at least 80 % is written before the secretary types a word",
                       len(filled) > 0 and (len(filled) - prompt) / len(filled) >= 0.8, f"{prompt} of {len(filled)} characters are prompts")
            document_rows = self.doc_table_rows("二、")
            # The same figures as the unit's 述职评议 dossier for the term, drawn from the same verdicts.
            self.open("/dossiers")
            unit_link = self.driver.find_element(By.XPATH, "//a[contains(@href, '/dossiers/units/')]").get_attribute("href")
            self.open(urllib.parse.urlparse(unit_link).path + "?term=" + urllib.parse.quote(state["term"]))
            dossier_rows = self.doc_table_rows("二、")
            self.check("summary: its cadre table equals the unit dossier's", document_rows == dossier_rows and len(document_rows) > 0,
                       f"{document_rows[:2]} vs {dossier_rows[:2]}")
            self.open(state["doc"])
            # Submitting with the prompt still there is refused, with the reason, and nothing changes.
            self.press(self.driver.find_element(By.CSS_SELECTOR, "button[value=submit]"), "the refused submission")
            self.check("summary: a prompt left in the text is refused", "【…】" in self.driver.find_element(By.ID, "edit").text)
            self.check("summary: still a draft after the refusal", "草稿" in self.doc_status(), self.doc_status())
            text = self.driver.find_element(By.ID, "body")
            self.set_text(text, text.get_attribute("value").replace("【请填写下一步工作打算】", "下学期实现学生集体联系全覆盖，逐月通报进度。"))
            self.press(self.driver.find_element(By.CSS_SELECTOR, "button[value=submit]"), "the submission")
            self.check("summary: submitted for review", "已提交" in self.doc_status() and "第 1 稿" in self.doc_status(), self.doc_status())
            self.screenshot(os.path.join(self.out, "summary-submitted.png"))
            self.open("/filings/documents")
            self.logout_and_check("summary-secretary")

        def office_returns():
            self.submit_login("office", PASSWORD)
            self.wait_for_path("/")
            self.open(state["doc"])
            self.set_text(self.driver.find_element(By.ID, "comment"), "请补充问题答复时限和学生评价情况")
            self.press(self.driver.find_element(By.CSS_SELECTOR, "button[value=return]"), "the return")
            self.check("summary: the office returned it", "已退回修改" in self.doc_status(), self.doc_status())
            self.open("/filings/documents")
            self.logout_and_check("summary-office-returns")

        def secretary_resubmits():
            self.submit_login("secretary", PASSWORD)
            self.wait_for_path("/")
            self.open(state["doc"])
            self.check("summary: the secretary reads the comment", "请补充问题答复时限" in self.driver.find_element(By.ID, "returned").text)
            text = self.driver.find_element(By.ID, "body")
            self.set_text(text, text.get_attribute("value") + "\n学生反映的问题均在规定时限内答复，学生评价以满意为主。")
            self.press(self.driver.find_element(By.CSS_SELECTOR, "button[value=submit]"), "the second submission")
            self.check("summary: version 2 is submitted", "第 2 稿" in self.doc_status(), self.doc_status())
            self.open("/filings/documents")
            self.logout_and_check("summary-secretary-again")

        def office_approves():
            self.submit_login("office", PASSWORD)
            self.wait_for_path("/")
            self.open(state["doc"])
            self.press(self.driver.find_element(By.CSS_SELECTOR, "button[value=approve]"), "the approval")
            self.check("summary: approved as version 2", "已审核通过" in self.doc_status() and "第 2 稿" in self.doc_status(), self.doc_status())
            outcomes = [tr.find_elements(By.TAG_NAME, "td")[3].text for tr in self.driver.find_elements(By.CSS_SELECTOR, "#versions tbody tr")]
            self.check("summary: both versions are kept with their outcome", len(outcomes) == 2 and "已审核通过" in outcomes[0] and "已退回修改" in outcomes[1], repr(outcomes))
            self.check("summary: the approved text is on the page", "学生评价以满意为主" in self.main_text())
            self.screenshot(os.path.join(self.out, "summary-approved-a4.png"))
            status, headers, body = self.fetch(state["doc"] + "?format=docx")
            paragraphs = [p.text for p in docx.Document(io.BytesIO(body)).paragraphs]
            self.check("summary: python-docx reads the approved text", status == 200 and any("学生评价以满意为主" in p for p in paragraphs)
                       and "三、学生反映问题及办理情况" in paragraphs, repr(paragraphs[:3]))
            self.open("/filings")
            filed = [r.text for r in self.driver.find_elements(By.CSS_SELECTOR, "table tbody tr") if "工作总结" in r.text]
            self.check("summary: the approval is recorded as the unit's filing", len(filed) >= 1, repr(filed[:2]))
            self.logout_and_check("summary-office-approves")

        self.scenario("summary-secretary", secretary_drafts)
        self.scenario("summary-office-returns", office_returns)
        self.scenario("summary-secretary-again", secretary_resubmits)
        self.scenario("summary-office-approves", office_approves)

    def integrity_journey(self):
        """An assessor confirms an integrity flag; the cadre's compliance cell loses the records."""

        def assessor():
            self.driver.set_window_size(*DESKTOP)
            self.submit_login("assessor", PASSWORD)
            self.wait_for_path("/")
            self.open("/integrity")
            candidates = []
            for form in self.driver.find_elements(By.CSS_SELECTOR, "form.verdict")[:12]:
                flag = form.find_element(By.NAME, "flagId").get_attribute("value")
                records = [a.get_attribute("href") for a in form.find_elements(By.XPATH, "./ancestor::td//a[contains(@href, '/ledger/')]")]
                candidates.append((flag, records))
            self.require("integrity: flags wait for a verdict", len(candidates) > 0)
            chosen = None
            for flag, records in candidates:
                self.open(urllib.parse.urlparse(records[0]).path)
                rows = self.driver.find_elements(By.CSS_SELECTOR, "#counts tbody tr")
                # A count of times or person-times: one record fewer is one less (a distinct-venue count may not move).
                counted = [r for r in rows if r.find_elements(By.TAG_NAME, "td")[4].text == "计入"
                           and re.search(r"(次|人次|小时)$", r.find_elements(By.TAG_NAME, "td")[2].text)]
                if counted:
                    cells = counted[0].find_elements(By.TAG_NAME, "td")
                    chosen = (flag, records, cells[0].find_element(By.TAG_NAME, "a").get_attribute("href"), cells[2].text)
                    break
            self.require("integrity: a flagged record counts toward a requirement today", chosen is not None, f"{len(candidates)} flags looked at")
            flag, records, cell_link, before = chosen
            done_before = float(re.match(r"[\d.]+", before).group(0))
            record_id = urllib.parse.urlparse(records[0]).path.rsplit("/", 1)[1]
            cell_path = urllib.parse.urlparse(cell_link).path + "?" + urllib.parse.urlparse(cell_link).query
            # The table under 计入的记录 only: an empty one is not drawn, and the next heading's must not stand in.
            counted_xpath = ("//main//h2[normalize-space()='计入的记录']/following-sibling::*[descendant-or-self::table or self::h2][1][not(self::h2)]"
                             f"/descendant-or-self::table//a[contains(@href, '{record_id}')]")
            self.open(cell_path)
            self.require("integrity: the cell lists the record as counted before the verdict", self.driver.find_elements(By.XPATH, counted_xpath))
            self.open("/integrity")
            form = self.driver.find_element(By.XPATH, f"//form[contains(@class,'verdict')][.//input[@name='flagId' and @value='{flag}']]")
            form.find_element(By.NAME, "reason").send_keys("回访学生，当日并未走访，认定不实")
            self.press(form.find_element(By.CSS_SELECTOR, "button[value=confirmed]"), "the verdict")
            self.open(cell_path)
            value = self.driver.find_element(By.XPATH, "//dt[normalize-space()='完成 / 要求']/following-sibling::dd[1]").text
            done_after = float(re.match(r"[\d.]+", value).group(0))
            self.check("integrity: the confirmed finding lowers the cadre's cell", done_after < done_before, f"{before} → {value}")
            self.check("integrity: the cell no longer lists the record as counted", not self.driver.find_elements(By.XPATH, counted_xpath))
            self.open(urllib.parse.urlparse(records[0]).path)
            self.check("integrity: the record says it no longer counts", "不计入" in self.driver.find_element(By.ID, "counts").text)
            self.screenshot(os.path.join(self.out, "integrity-confirmed.png"))
            self.logout_and_check("integrity-assessor")

        self.scenario("integrity-assessor", assessor)

    def workbench_journey(self):
        """The office raises a quota in the policy workbench and sees, before adopting anything, whose
        verdicts would turn worse on the running term's ledger."""
        def office():
            self.driver.set_window_size(*DESKTOP)
            self.submit_login("office", PASSWORD)
            self.wait_for_path("/")
            self.open("/policies")
            versions_before = len(self.driver.find_elements(By.CSS_SELECTOR, "table tbody tr"))
            self.open("/policies/workbench")
            box = self.driver.find_element(By.ID, "text")
            text = box.get_attribute("value")
            self.require("workbench: starts from the text in force", "rules:" in text and "atLeast: 1" in text, text[:200])
            # Typing a mistake shows its line and column without submitting (the small script).
            self.set_text(box, text.replace("atLeast: 1", "atLeast: -1", 1))
            self.driver.execute_script("arguments[0].dispatchEvent(new Event('input'));", box)
            self.wait(lambda d: "列" in d.find_element(By.ID, "live-check").text, "the live check")
            self.check("workbench: a mistake is named by line and column as it is typed", "atLeast" in self.driver.find_element(By.ID, "live-check").text)
            self.set_text(box, text.replace("atLeast: 1", "atLeast: 3", 1))
            self.press(self.driver.find_element(By.CSS_SELECTOR, "#workbench button[type=submit]"), "the simulation")
            summary = self.driver.find_element(By.ID, "simulation-summary").text
            worse = int(re.search(r"变差 (\d+) 处", summary).group(1)) if re.search(r"变差 (\d+) 处", summary) else -1
            self.check("workbench: raising a quota makes verdicts worse, counted", worse > 0, summary)
            rows = self.driver.find_elements(By.CSS_SELECTOR, "#simulation table tbody tr")
            self.check("workbench: the changed verdicts are listed", len(rows) > 1, f"{len(rows)} rows")
            self.screenshot(os.path.join(self.out, "policy-workbench.png"))
            self.open("/policies")
            self.check("workbench: a simulation stores no version", len(self.driver.find_elements(By.CSS_SELECTOR, "table tbody tr")) == versions_before)
            self.logout_and_check("workbench-office")

        self.scenario("workbench-office", office)

    def run(self):
        self.dossier_journey()
        self.filing_document_journey()
        self.integrity_journey()
        self.workbench_journey()
        self.activation_journey()
        self.ledger_journey()
        self.letter_journey()
        self.reopen_journey()
        self.wrong_password()
        for username, role in ACCOUNTS:
            self.account(username, role, DESKTOP)
        self.account("cadre", "cadre", PHONE, suffix="-phone")
        self.student_forbidden()
        self.phone_pages()

    def selftest(self):
        """Proves Chromium, chromedriver and the CJK fonts work, without a server."""
        def body():
            html = ('<!doctype html><html lang="zh-CN"><meta charset="utf-8">'
                    '<body><h1>一线：领导干部深入基层联系学生</h1>'
                    '<p>浏览器自检 — browser self-test</p></body></html>')
            self.driver.set_window_size(*DESKTOP)
            self.driver.get("data:text/html;charset=utf-8," + urllib.parse.quote(html))
            lang = self.driver.find_element(By.TAG_NAME, "html").get_attribute("lang")
            self.check("selftest: <html lang> is zh-CN", lang == "zh-CN", f"got {lang!r}")
            h1 = self.driver.find_element(By.TAG_NAME, "h1").text
            self.check("selftest: h1 Chinese text read back", h1 == "一线：领导干部深入基层联系学生",
                       f"got {h1!r}")
            # Without a CJK font Chinese renders as "tofu" boxes, as wide as a character
            # no font has; with one, each ideograph is exactly 1em wide.
            cjk, tofu = self.driver.execute_script("""
                const c = document.createElement('canvas').getContext('2d');
                c.font = '32px sans-serif';
                return [c.measureText('联系学生').width,
                        c.measureText('\\u{10FFFD}\\u{10FFFD}\\u{10FFFD}\\u{10FFFD}').width];
            """)
            self.check("selftest: a CJK font renders Chinese (not tofu)",
                       abs(cjk - 4 * 32) < 2 and abs(cjk - tofu) >= 2,
                       f"4 ideographs {cjk:.1f}px, 4 missing glyphs {tofu:.1f}px at 32px")
            file = os.path.join(self.out, "selftest.png")
            size = self.screenshot(file)
            self.check(f"selftest: screenshot {file}", size > 1000, f"{size} bytes")

        self.scenario("selftest", body)


def _is_stale(element):
    try:
        element.is_enabled()
        return False
    except WebDriverException:
        return True


def make_driver(args):
    options = webdriver.ChromeOptions()
    options.binary_location = args.chromium
    for flag in (
        "--headless=new",
        "--no-sandbox",  # CI runs as root, where Chromium's sandbox cannot start
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--no-first-run",
        "--lang=zh-CN",
        f"--window-size={DESKTOP[0]},{DESKTOP[1]}",
    ):
        options.add_argument(flag)
    # Users' browsers ask for Chinese; the pages are zh-CN first.
    options.add_experimental_option("prefs", {"intl.accept_languages": "zh-CN,zh"})
    # An explicit driver path keeps Selenium Manager from going to the internet.
    service = Service(executable_path=args.chromedriver)
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_page_load_timeout(max(args.timeout, 30))
    return driver


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base", default="http://127.0.0.1:18080", help="server URL")
    parser.add_argument("--out", default="artifacts/screenshots", help="screenshot folder")
    parser.add_argument("--timeout", type=float, default=60, help="seconds to wait for a page")
    parser.add_argument("--chromium", default=os.environ.get("CHROMIUM", "/usr/bin/chromium"))
    parser.add_argument("--chromedriver",
                        default=os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
    parser.add_argument("--selftest", action="store_true",
                        help="check the browser stack on a local page; needs no server")
    args = parser.parse_args()
    # Uploads hand ChromeDriver a file path, and it takes only absolute ones.
    args.out = os.path.abspath(args.out)
    os.makedirs(args.out, exist_ok=True)

    started = time.monotonic()
    try:
        driver = make_driver(args)
    except WebDriverException as error:
        print(f"FAIL  start headless Chromium ({error.msg})", flush=True)
        print("0 passed, 1 failed", flush=True)
        return 1
    try:
        smoke = Smoke(driver, args.base, args.out, args.timeout)
        smoke.selftest() if args.selftest else smoke.run()
    finally:
        driver.quit()
    print(f"# {time.monotonic() - started:.1f} s", flush=True)
    print(f"{smoke.passed} passed, {smoke.failed} failed", flush=True)
    return 1 if smoke.failed or not smoke.passed else 0


if __name__ == "__main__":
    sys.exit(main())
