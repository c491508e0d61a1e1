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

    def run(self):
        self.ledger_journey()
        self.letter_journey()
        self.wrong_password()
        for username, role in ACCOUNTS:
            self.account(username, role, DESKTOP)
        self.account("cadre", "cadre", PHONE, suffix="-phone")
        self.student_forbidden()

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
