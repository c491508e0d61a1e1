#!/usr/bin/env python3
"""Browser walk: a new university set up from README alone, on an empty database (issue 10).

No demo: the script creates a fresh SQLite file and data directory, makes the first business
admin with `yixian user create` (README, "The two commands"), starts `yixian serve` without
`--demo` (loopback, a free port, rate limits off), and then, in headless Chromium, as that admin:
  1. 校历 (/calendar): a calendar .xlsx with an overlapping term is refused with its row, column and
     reason, and nothing is stored; then the university's own calendar — a year the demo does not
     have (terms starting on a Wednesday and a Thursday, 国庆 8 days, a 教学礼拜周, two-week exam
     weeks, winter and summer vacations inside the terms), built here with openpyxl around today's
     date — is checked, imported, and listed with the week counts computed here;
  2. rosters (/import/…): units, collectives, cadres and students, each .xlsx written with the
     headers of the empty roster's own export (the template), checked, confirmed, and counted on
     /units, /collectives, /cadres and /students;
  3. 工作规定 (/policies): a small plan written in docs/POLICY-FORMAT.md's format — each college's
     党委副书记 in person with students every week, each college's arrangement plan within 14 days
     of term start — checked first with `yixian policy check`, pasted with the term's start as its
     effective date, and shown 现行; one college files its plan on time;
  4. 落实情况 (/compliance): the colleges and the rules, judged on the new calendar — the weekly
     rule's cell has one part per week of the term, the weeks in vacations and exam weeks skipped,
     the filing due 14 days after the term's start, the filed college met.

Prints one line per check and `N passed, M failed`; exits 1 if anything failed.

    python3 Tests/browser/new_university.py --bin .build/debug/yixian --out artifacts/screenshots [--port 0]
        [--today YYYY-MM-DD]   # walk as if it were another day (the server's YIXIAN_TODAY)
"""
import argparse
import io
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from demo_server import DemoServer, summarise, tear_down  # noqa: E402
from escalation import wait_clear_of_midnight  # noqa: E402
from smoke import DESKTOP, CheckFailed, Smoke, make_driver  # noqa: E402
from selenium.common.exceptions import WebDriverException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
ADMIN = "office"
ADMIN_NAME = "学生工作部业务管理员"
CALENDAR_HEADER = ["类型", "代码", "名称", "开始日期", "结束日期", "所属", "不计入每周要求"]

# The roster of the new university, as its office would type it (kinds and ranks in Chinese).
UNITS = [
    ["XGB", "学生工作部", "学生工作部门", 1],
    ["JX", "机械工程学院", "学院", 3],
    ["WL", "物理学院", "院系", 2],
]
# The university's order (排序) puts 物理学院 first, where code and name would both put 机械工程学院.
COLLEGES = {"WL": "物理学院", "JX": "机械工程学院"}
COLLECTIVES = [
    ["JX2026-01", "机械2026级1班", "班级", "JX", 2026, 32],
    ["JX-BY12", "北苑12舍", "宿舍", "JX", "", 48],
    ["WL2026-01", "物理2026级1班", "班级", "WL", 2026, 28],
]
CADRES = [
    ["N1001", "周立新", "JX", "党委副书记", "副处级", "是", "student-work"],
    ["N1002", "钱明远", "JX", "院长", "正处级", "是", ""],
    ["N2001", "孙晓燕", "WL", "党委副书记", "副处级", "是", "student-work"],
    ["N3001", "李建华", "XGB", "部长", "正处级", "是", "student-work"],
]
DEPUTIES = {"JX": "周立新", "WL": "孙晓燕"}
STUDENTS = [
    ["2026110101", "赵一鸣", "JX", "JX2026-01、JX-BY12"],
    ["2026110102", "钱佳怡", "JX", "JX2026-01"],
    ["2026210101", "孙浩然", "WL", "WL2026-01"],
    ["2026210102", "李思琪", "WL", "WL2026-01"],
]
WEEKLY_RULE = "每周面对面联系学生"
FILING_RULE = "开学两周内报送工作安排"
POLICY = f"""id: newu-2026
title: 新大学领导干部深入基层联系学生工作实施办法（试行）
document: 新大党发〔2026〕12号
roles:
  college-deputy:
    label: 学院党委副书记
    unitKind: [college]
    posts: [党委副书记]
rules:
  - id: weekly-in-person
    title: {WEEKLY_RULE}
    who: college-deputy
    every: {{ kinds: [in-person], atLeast: 1, per: week }}
    source: "学院党委副书记每周至少面对面联系学生1次（寒暑假及考试周除外）"
  - id: arrangement-plan
    title: {FILING_RULE}
    who: {{ units: {{ kind: [college] }} }}
    filing: {{ kind: arrangement-plan, per: term, deadline: "term-start +14d" }}
    source: "各学院于开学后两周内报送本学期联系学生工作安排"
"""


# --- the calendar, computed from today ------------------------------------------------------------

def weekday_on_or_after(day, weekday):
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def monday_of(day):
    return day - timedelta(days=day.weekday())


def term1_start(year):
    """The autumn term starts on the Wednesday on or after 26 August (the demo's on the first
    Monday of September), so week 1 is five days long."""
    return weekday_on_or_after(date(year, 8, 26), 2)


class Calendar:
    """One academic year holding `today`, in which every day belongs to a term: the winter vacation
    closes the first term and the summer vacation the second, as many universities' 校历 print it."""

    def __init__(self, today):
        y = today.year if today >= term1_start(today.year) else today.year - 1
        self.code = f"{y}-{y + 1}"
        self.name = f"{y}—{y + 1}学年"
        self.start = term1_start(y)
        self.end = term1_start(y + 1) - timedelta(days=1)
        t2_start = weekday_on_or_after(date(y + 1, 2, 19), 3)  # a Thursday
        exam1 = weekday_on_or_after(date(y + 1, 1, 4), 0)
        exam2 = weekday_on_or_after(date(y + 1, 6, 29), 0)
        t1_start = self.start
        worship = monday_of(t1_start) + timedelta(weeks=9)  # the 10th week, taught as usual
        # (kind, name, start, end, excluded from weekly rules)
        self.terms = [
            {"code": f"{self.code}-1", "name": "第一学期", "start": t1_start, "end": t2_start - timedelta(days=1),
             "parts": [("教学礼拜周", "教学礼拜周", worship, worship + timedelta(days=6), "否"),
                       ("假期", "国庆节", date(y, 10, 1), date(y, 10, 8), ""),
                       ("考试周", "期末考试周", exam1, exam1 + timedelta(days=13), "是"),
                       ("假期", "寒假", exam1 + timedelta(days=14), t2_start - timedelta(days=1), "")]},
            {"code": f"{self.code}-2", "name": "第二学期", "start": t2_start, "end": self.end,
             "parts": [("假期", "劳动节", date(y + 1, 5, 1), date(y + 1, 5, 5), ""),
                       ("考试周", "期末考试周", exam2, exam2 + timedelta(days=13), "是"),
                       ("假期", "暑假", exam2 + timedelta(days=14), self.end, "")]},
        ]
        self.current = next(t for t in self.terms if t["start"] <= today <= t["end"])

    def rows(self, overlapping=False):
        """The sheet's rows after the header. `overlapping`: the second term starts two weeks
        before the first ends (its row is the one to be named)."""
        rows = [["学年", self.code, self.name, self.start, self.end, "", ""]]
        for index, term in enumerate(self.terms):
            start = term["start"]
            if overlapping and index == 1:
                start = self.terms[0]["end"] - timedelta(days=13)
            rows.append(["学期", term["code"], term["name"], start, term["end"], self.code, ""])
            for kind, name, first, last, excluded in term["parts"]:
                rows.append([kind, "", name, first, last, term["code"], excluded])
        return rows

    @staticmethod
    def weeks(term):
        """TeachingWeek.swift's weeks: Monday to Sunday, clipped to the term; a week is skipped by
        weekly rules when every one of its days is in a vacation or an excluded special week."""
        paused = set()
        for kind, _, first, last, excluded in term["parts"]:
            if kind == "假期" or excluded == "是":
                paused.update(first + timedelta(days=n) for n in range((last - first).days + 1))
        weeks = []
        monday = monday_of(term["start"])
        while monday <= term["end"]:
            first, last = max(term["start"], monday), min(term["end"], monday + timedelta(days=6))
            days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
            weeks.append({"number": len(weeks) + 1, "start": first, "end": last, "counts": not all(d in paused for d in days)})
            monday += timedelta(weeks=1)
        return weeks


def write_xlsx(path, header, rows, sheet):
    """An .xlsx as Excel saves it: dates as date cells (yyyy-mm-dd), numbers as numbers."""
    import openpyxl  # scripts/ci-install.sh installs it
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    ws.append(header)
    for row in rows:
        ws.append(row)
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, date):
                cell.number_format = "yyyy-mm-dd"
    book.save(path)
    return path


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class EmptyServer(DemoServer):
    """`yixian serve` WITHOUT --demo on a fresh SQLite file and data directory; the CLI on the same."""

    def __init__(self, binary, port, workdir, today=None):
        super().__init__(binary, port, workdir, database="new-university.sqlite")
        self.today = today

    def env(self):
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "YIXIAN_TODAY")}
        env.update(YIXIAN_SQLITE_PATH=self.database, YIXIAN_DATA_DIR=self.workdir, YIXIAN_RATE_LIMIT="off")
        if self.today:
            env["YIXIAN_TODAY"] = self.today.isoformat()
        return env

    def cli(self, *args):
        """Runs `yixian ARGS` as an operator would on the server's machine: (exit status, output)."""
        done = subprocess.run([self.binary, *args], cwd=self.workdir, env=self.env(), stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, timeout=120)
        with open(self.log, "a", encoding="utf-8") as log:
            log.write(f"\n===== yixian {' '.join(args)} (exit {done.returncode}) =====\n{done.stdout}{done.stderr}")
        return done.returncode, done.stdout + done.stderr

    # The demo server's start, without --demo, from the data directory, in this environment.
    def environment(self, extra_env):
        return {**self.env(), **extra_env}

    def command(self):
        return [self.binary, "serve", "--hostname", "127.0.0.1", "--port", str(self.port)]

    def cwd(self):
        return self.workdir

    def start(self, timeout):
        return super().start({}, timeout, banner="yixian serve (no --demo)")

    def log_text(self):
        try:
            with open(self.log, encoding="utf-8", errors="replace") as f:
                return f.read()
        except OSError:
            return ""


class NewUniversity(Smoke):
    def __init__(self, driver, server, out, timeout, password, today):
        super().__init__(driver, server.base, out, timeout)
        self.server = server
        self.password = password
        self.today = today
        self.calendar = Calendar(today)
        self.done = set()

    # --- helpers ----------------------------------------------------------------------------------

    def sign_in(self, label):
        self.driver.set_window_size(*DESKTOP)
        self.submit_login(ADMIN, self.password)
        self.wait_for_path("/")
        self.require(f"{label}: the admin is signed in as business admin", self.body_attr("data-user-role") == "business-admin",
                     repr(self.body_attr("data-user-role")))

    def file(self, name):
        return os.path.join(self.out, f"new-university-{name}")

    def upload_calendar(self, path, mode):
        """On /calendar: chooses the file and the action (dry-run or commit) and uploads."""
        self.open("/calendar")
        form = self.driver.find_element(By.CSS_SELECTOR, "form[action='/calendar/import']")
        form.find_element(By.NAME, "file").send_keys(path)
        Select(form.find_element(By.NAME, "mode")).select_by_value(mode)
        self.submit(form, f"the calendar {mode}")
        reports = self.driver.find_elements(By.CSS_SELECTOR, "[data-calendar-report]")
        return reports[0].get_attribute("data-calendar-report") if reports else None

    def issue_rows(self):
        """The import report's table on the calendar page: [[行, 列, 级别, 原因]]."""
        return [[td.get_attribute("textContent").strip() for td in tr.find_elements(By.TAG_NAME, "td")]
                for tr in self.driver.find_elements(By.CSS_SELECTOR, "[data-calendar-report] table tbody tr")]

    def stored_calendar(self):
        """The calendar as /calendar/export gives it back (read with openpyxl): rows after the header."""
        import openpyxl
        status, _, body = self.fetch("/calendar/export?format=xlsx")
        self.require("calendar export downloads", status == 200 and body[:2] == b"PK", f"HTTP {status}")
        sheet = openpyxl.load_workbook(io.BytesIO(body), read_only=True).worksheets[0]
        rows = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        return rows[0] if rows else [], rows[1:]

    def pager_total(self, path):
        """`共 N 条` under a roster list."""
        self.open(path)
        pager = self.driver.find_elements(By.CSS_SELECTOR, "main .pager")
        found = re.search(r"共 (\d+) 条", pager[0].text) if pager else None
        return int(found.group(1)) if found else None

    def main_rows(self, css="main table tbody tr"):
        return [[td.get_attribute("textContent").strip() for td in tr.find_elements(By.TAG_NAME, "td")]
                for tr in self.driver.find_elements(By.CSS_SELECTOR, css)]

    # --- 0. the empty university ------------------------------------------------------------------

    def empty(self):
        def body():
            self.sign_in("empty")
            self.check("empty: the home page is no error page", not self.driver.find_elements(By.CSS_SELECTOR, ".error-page"))
            self.open("/calendar")
            self.check("empty: /calendar says there is no calendar yet", "尚未设置校历" in self.main_text(), self.main_text()[:200])
            self.check("empty: the office is offered the calendar import",
                       bool(self.driver.find_elements(By.CSS_SELECTOR, "form[action='/calendar/import'] input[type=file][name=file]")))
            self.open("/compliance")
            self.check("empty: /compliance says no policy is active yet", "尚未启用工作规定" in self.main_text(), self.main_text()[:200])
            self.done.add("empty")

        self.scenario("new-university-empty", body)

    # --- 1. the calendar --------------------------------------------------------------------------

    def bad_calendar(self):
        """An overlapping term: refused with its row, column and reason; nothing stored."""
        def body():
            self.require("bad calendar: the university is empty", "empty" in self.done)
            self.sign_in("bad calendar")
            path = write_xlsx(self.file("calendar-overlap.xlsx"), CALENDAR_HEADER, self.calendar.rows(overlapping=True), "校历")
            # The second term's row: header (1), year (2), term 1 (3) and its parts, then term 2.
            row = 4 + len(self.calendar.terms[0]["parts"])
            state = self.upload_calendar(path, "commit")
            self.check("bad calendar: the import is refused (HTTP 422)", self.body_attr("data-status") == "422", repr(self.body_attr("data-status")))
            summary = self.driver.find_elements(By.CSS_SELECTOR, "main .error-summary")
            self.check("bad calendar: the error summary says nothing was imported",
                       bool(summary) and "未导入任何内容" in summary[0].text, summary[0].text if summary else "no .error-summary")
            self.require("bad calendar: the report is shown", state == "checked", repr(state))
            issues = [i for i in self.issue_rows() if i[2] == "错误"]
            self.check(f"bad calendar: one error, on row {row} (第二学期), column 开始日期, saying the terms overlap",
                       len(issues) == 1 and issues[0][0] == str(row) and issues[0][1] == "开始日期"
                       and "第二学期" in issues[0][3] and "第一学期" in issues[0][3] and "重叠" in issues[0][3], repr(issues))
            self.screenshot(self.file("calendar-refused.png"))
            self.open("/calendar")
            self.check("bad calendar: nothing is stored (/calendar still has no calendar)", "尚未设置校历" in self.main_text())
            header, rows = self.stored_calendar()
            self.check("bad calendar: the export has the header and no row", header == CALENDAR_HEADER and rows == [], f"{header} {rows[:2]}")
            self.done.add("bad calendar")

        self.scenario("new-university-bad-calendar", body)

    def good_calendar(self):
        cal = self.calendar

        def body():
            self.require("calendar: the university is empty", "empty" in self.done)
            self.sign_in("calendar")
            path = write_xlsx(self.file("calendar.xlsx"), CALENDAR_HEADER, cal.rows(), "校历")
            state = self.upload_calendar(path, "dry-run")
            self.require("calendar: 只检查 shows the check's report", state == "checked", repr(state))
            text = self.driver.find_element(By.CSS_SELECTOR, "[data-calendar-report]").text
            self.check(f"calendar: checked {cal.name}, 2 terms, 0 errors, 0 warnings",
                       f"检查结果：{cal.name}，共 2 个学期；0 处错误，0 处提示" in text, text)
            self.check("calendar: checking stores nothing", "尚未设置校历" in self.main_text())
            state = self.upload_calendar(path, "commit")
            self.require("calendar: 检查无误后导入 imports it", state == "committed", f"{state!r}: {self.main_text()[:300]}")
            text = self.driver.find_element(By.CSS_SELECTOR, "[data-calendar-report]").text
            self.check("calendar: the page says what was imported", f"已导入：{cal.name}，共 2 个学期" in text, text)
            self.open("/calendar")
            headings = [h.text.strip() for h in self.driver.find_elements(By.CSS_SELECTOR, "main h2, main h3")]
            self.check(f"calendar: the year is listed ({cal.start} – {cal.end})",
                       any(h.endswith(f"（{cal.start.isoformat()} – {cal.end.isoformat()}）") for h in headings), repr(headings[:4]))
            for term in cal.terms:
                weeks = cal.weeks(term)
                expected = f"{term['name']}：{term['start'].isoformat()} – {term['end'].isoformat()}，共 {len(weeks)} 周"
                self.check(f"calendar: lists {expected}", expected in headings, repr([h for h in headings if term["name"] in h]))
            items = [li.text.strip() for li in self.driver.find_elements(By.CSS_SELECTOR, "main li")]
            t1 = cal.terms[0]
            worship = t1["parts"][0]
            self.check("calendar: the 教学礼拜周 is listed, counted by weekly rules",
                       f"教学礼拜周：教学礼拜周 {worship[2].isoformat()} – {worship[3].isoformat()}" in items, repr(items[:6]))
            exam = t1["parts"][2]
            self.check("calendar: the exam weeks are listed, skipped by weekly rules",
                       f"考试周：期末考试周 {exam[2].isoformat()} – {exam[3].isoformat()}（不计入每周要求）" in items, repr(items[:6]))
            national = t1["parts"][1]
            self.check("calendar: the National Day vacation is listed",
                       f"假期：{national[2].isoformat()} – {national[3].isoformat()}" in items, repr(items[:6]))
            self.screenshot(self.file("calendar.png"))
            # The export is the template: it gives back every date imported.
            _, rows = self.stored_calendar()
            stored = {(r[0], r[3][:10], r[4][:10]) for r in rows}
            typed = {(r[0], r[3].isoformat(), r[4].isoformat()) for r in cal.rows()}
            self.check("calendar: the export gives back every row's kind and dates", stored == typed, repr(typed ^ stored))
            self.done.add("calendar")

        self.scenario("new-university-calendar", body)

    # --- 2. the rosters ---------------------------------------------------------------------------

    def import_roster(self, kind, rows, label):
        """The empty roster's export is the template; the file is uploaded, checked and confirmed."""
        import openpyxl
        status, _, body = self.fetch(f"/export/{kind}?format=xlsx")
        self.require(f"{label}: the empty roster exports as a template", status == 200 and body[:2] == b"PK", f"HTTP {status}")
        template = openpyxl.load_workbook(io.BytesIO(body), read_only=True).worksheets[0]
        header = [v for v in next(template.iter_rows(values_only=True)) if v is not None]
        self.check(f"{label}: the template has only its header row ({'、'.join(header)})", template.max_row in (1, None), f"{template.max_row} rows")
        path = write_xlsx(self.file(f"{kind}.xlsx"), header, [row[:len(header)] + [""] * (len(header) - len(row)) for row in rows], kind)
        # As a newcomer finds it: 导入名册 on the home page.
        self.open("/")
        link = self.driver.find_elements(By.CSS_SELECTOR, f"main a[href='/import/{kind}']")
        self.require(f"{label}: the home page offers 导入名册 → {kind}", bool(link))
        link[0].click()
        self.wait_for_path(f"/import/{kind}")
        form = self.driver.find_element(By.CSS_SELECTOR, f"form[action='/import/{kind}']")
        form.find_element(By.NAME, "file").send_keys(path)
        self.submit(form, f"the {kind} check")
        cards = {c.find_element(By.CSS_SELECTOR, ".label").text.strip(): c.find_element(By.CSS_SELECTOR, ".num").text.strip()
                 for c in self.driver.find_elements(By.CSS_SELECTOR, "main .cards .card")}
        self.check(f"{label}: the check finds {len(rows)} valid rows, no error", cards.get("有效行") == str(len(rows)) and cards.get("错误") == "0",
                   repr(cards) + " " + repr(self.main_rows()[:3]))
        button = self.driver.find_elements(By.CSS_SELECTOR, "button[name=mode][value=all]")
        self.require(f"{label}: 确认导入 is offered", bool(button))
        self.press(button[0], f"the {kind} import")
        for _ in range(120):
            if self.driver.find_elements(By.ID, "outcome"):
                break
            time.sleep(0.5)
            self.driver.refresh()
        outcome = self.driver.find_elements(By.ID, "outcome")
        self.require(f"{label}: the import finishes", bool(outcome), self.main_text()[:300])
        text = outcome[0].text
        self.check(f"{label}: {len(rows)} created", f"新增 {len(rows)} 条" in text, text)
        return text

    def rosters(self):
        def body():
            self.require("roster: the calendar is in", "calendar" in self.done)
            self.sign_in("roster")
            self.import_roster("units", UNITS, "units")
            self.import_roster("collectives", COLLECTIVES, "collectives")
            text = self.import_roster("cadres", CADRES, "cadres")
            self.check("cadres: their accounts are made with them", f"新建账号 {len(CADRES)} 个" in text, text)
            text = self.import_roster("students", STUDENTS, "students")
            self.check("students: their accounts are made with them", f"新建账号 {len(STUDENTS)} 个" in text, text)
            for path, rows in (("/units", UNITS), ("/collectives", COLLECTIVES), ("/cadres", CADRES), ("/students", STUDENTS)):
                total = self.pager_total(path)
                self.check(f"roster: {path} counts {len(rows)}", total == len(rows), repr(total))
            self.open("/units")
            listed = sorted(r[:3] for r in self.main_rows())
            expected = sorted([code, name, "学生工作部门" if kind == "学生工作部门" else "院（系）"] for code, name, kind, _ in UNITS)
            self.check("roster: /units lists the units, 学院 and 院系 both read as 院（系）", listed == expected, repr(listed))
            self.screenshot(self.file("units.png"))
            self.done.add("roster")

        self.scenario("new-university-roster", body)

    # --- 3. the policy ----------------------------------------------------------------------------

    def policy(self):
        term = self.calendar.current

        def body():
            self.require("policy: the roster is in", "roster" in self.done)
            path = self.file("policy.yaml")
            with open(path, "w", encoding="utf-8") as f:
                f.write(POLICY)
            status, output = self.server.cli("policy", "check", path)
            self.check("policy: `yixian policy check` accepts it (exit 0)", status == 0, output.strip()[-300:])
            self.sign_in("policy")
            self.open("/policies")
            form = self.driver.find_element(By.CSS_SELECTOR, "main form[action='/policies']")
            self.set_text(form.find_element(By.NAME, "effectiveFrom"), term["start"].isoformat())
            self.set_text(form.find_element(By.NAME, "text"), POLICY)
            self.submit(form, "the policy upload")
            self.require("policy: it is accepted (back on /policies, no error)",
                         self.path() == "/policies" and not self.driver.find_elements(By.CSS_SELECTOR, "main .error-summary"),
                         self.main_text()[:400])
            rows = self.main_rows()
            self.check(f"policy: v1 newu-2026, effective {term['start']}, is 现行",
                       len(rows) == 1 and rows[0][0] == "v1" and rows[0][1] == "newu-2026" and rows[0][3] == term["start"].isoformat()
                       and rows[0][5] == "现行", repr(rows))
            explained = self.driver.find_elements(By.CSS_SELECTOR, "main pre.explain")
            self.check("policy: the page explains the rules in force", bool(explained) and WEEKLY_RULE in explained[0].text
                       and FILING_RULE in explained[0].text, explained[0].text[:300] if explained else "no explanation")
            self.screenshot(self.file("policy.png"))
            # One college files its arrangement plan on time; the other does not.
            filed_on = min(self.today, term["start"] + timedelta(days=3))
            self.open("/filings")
            form = self.driver.find_element(By.CSS_SELECTOR, "main form[action='/filings']")
            Select(form.find_element(By.NAME, "unitCode")).select_by_value("JX")
            Select(form.find_element(By.NAME, "kind")).select_by_value("arrangement-plan")
            Select(form.find_element(By.NAME, "termCode")).select_by_value(term["code"])
            self.set_text(form.find_element(By.NAME, "submittedOn"), filed_on.isoformat())
            self.submit(form, "the filing")
            self.check(f"policy: {COLLEGES['JX']} files its plan on {filed_on}", "已记录报送" in self.main_text(),
                       self.main_text()[:300])
            self.done.add("policy")

        self.scenario("new-university-policy", body)

    # --- 4. the first compliance page -------------------------------------------------------------

    def compliance(self):
        term = self.calendar.current
        weeks = Calendar.weeks(term)
        counting = [w for w in weeks if w["counts"]]
        closed = [w for w in counting if w["end"] < self.today]
        due = term["start"] + timedelta(days=14)

        def body():
            self.require("compliance: the policy is in force", "policy" in self.done)
            self.sign_in("compliance")
            self.open("/compliance")
            self.check("compliance: the school page opens", self.body_attr("data-status") == "200"
                       and "全校落实情况" in self.main_text(), self.body_attr("data-status"))
            note = self.driver.find_element(By.CSS_SELECTOR, "main p.muted").text
            self.check(f"compliance: judged in {term['name']} under newu-2026 v1", term["name"] in note and "第 1 版" in note, note)
            rows = self.main_rows()
            listed = [r[0] for r in rows]
            self.check("compliance: both colleges are listed, in the university's order (排序)", listed == list(COLLEGES.values()), repr(listed))
            cards = {c.find_element(By.CSS_SELECTOR, ".label").text.strip(): c.find_element(By.CSS_SELECTOR, ".num").text.strip()
                     for c in self.driver.find_elements(By.CSS_SELECTOR, "main .cards .card")}
            # Met: the filed plan. Missed: both deputies' weekly rule once a week has passed, and the
            # unfiled plan once its day has passed.
            missed = (2 if closed else 0) + (1 if self.today > due else 0)
            self.check(f"compliance: the school counts 1 met and {missed} missed", cards.get("已完成") == "1"
                       and cards.get("未完成") == str(missed), repr(cards))
            self.screenshot(os.path.join(self.out, "new-university-compliance.png"))

            self.open("/compliance/units/JX")
            headers = [th.text.strip() for th in self.driver.find_elements(By.CSS_SELECTOR, "main table.matrix thead th")]
            self.check(f"compliance: {COLLEGES['JX']}'s matrix has the weekly rule", WEEKLY_RULE in headers, repr(headers))
            cadres = [r[0] for r in self.main_rows("main table.matrix tbody tr")]
            self.check(f"compliance: only the 党委副书记 is bound ({DEPUTIES['JX']}, not the 院长)", cadres == [DEPUTIES["JX"]], repr(cadres))
            unit_rows = self.main_rows("main table.stack tbody tr")
            filing = [r for r in unit_rows if r and r[0] == FILING_RULE]
            self.check(f"compliance: the filing is due {due} (term start + 14 days) and met",
                       len(filing) == 1 and filing[0][4] == due.isoformat() and filing[0][3] == "已完成", repr(unit_rows))
            self.screenshot(self.file("compliance-unit.png"))
            links = self.driver.find_elements(By.CSS_SELECTOR, "main table.matrix tbody a[href*='/compliance/cell']")
            self.require("compliance: the weekly cell links to its details", bool(links))
            self.driver.get(links[0].get_attribute("href"))
            self.wait(lambda d: d.execute_script("return document.readyState") == "complete", "the cell page")
            facts = {dt.text.strip(): dd.text.strip() for dt, dd in zip(self.driver.find_elements(By.CSS_SELECTOR, "main dl.props dt"),
                                                                           self.driver.find_elements(By.CSS_SELECTOR, "main dl.props dd"))}
            self.check(f"compliance: the cell's period is the term ({term['start']} – {term['end']})",
                       f"（{term['start'].isoformat()} – {term['end'].isoformat()}）" in facts.get("周期", ""), repr(facts.get("周期")))
            required = f"0 / {len(counting)} 周" + (f"（已过 {len(closed)} 周）" if len(closed) < len(counting) else "")
            self.check(f"compliance: {required}: {len(counting)} of the term's {len(weeks)} weeks are required, {len(closed)} over",
                       facts.get("完成 / 要求") == required, repr(facts.get("完成 / 要求")))
            parts = self.main_rows("main table tbody tr")
            self.check(f"compliance: one part per week of the term ({len(weeks)})", len(parts) == len(weeks), f"{len(parts)} parts")
            labels = [p[0] for p in parts]
            self.check(f"compliance: the parts are {term['name']}第1周 … 第{len(weeks)}周",
                       labels == [f"{term['name']}第{w['number']}周" for w in weeks], repr(labels[:3] + labels[-2:]))
            first = weeks[0]
            self.check(f"compliance: week 1 is clipped to the term ({first['start']} – {first['end']})",
                       bool(parts) and parts[0][1] == f"{first['start'].isoformat()} – {first['end'].isoformat()}", repr(parts[:1]))
            skipped = [p[0] for p in parts if len(p) > 3 and p[3] == "不计"]
            expected = [f"{term['name']}第{w['number']}周" for w in weeks if not w["counts"]]
            self.check(f"compliance: the {len(expected)} weeks in vacations and exam weeks are skipped", skipped == expected,
                       f"{skipped} vs {expected}")
            if closed:
                self.check(f"compliance: {len(closed)} weeks have passed without a contact: missed",
                           facts.get("状态") == "未完成", repr(facts.get("状态")))
            self.screenshot(self.file("compliance-cell.png"))

            self.open("/compliance/units/WL")
            unit_rows = self.main_rows("main table.stack tbody tr")
            filing = [r for r in unit_rows if r and r[0] == FILING_RULE]
            if self.today > due:
                self.check(f"compliance: {COLLEGES['WL']} did not file by {due}: missed",
                           len(filing) == 1 and filing[0][3] == "未完成", repr(unit_rows))
            else:
                self.check(f"compliance: {COLLEGES['WL']} may still file by {due}",
                           len(filing) == 1 and filing[0][3] != "未完成", repr(unit_rows))

        self.scenario("new-university-compliance", body)

    def run(self):
        self.empty()
        self.bad_calendar()
        self.good_calendar()
        self.rosters()
        self.policy()
        self.compliance()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bin", required=True, help="the yixian binary")
    parser.add_argument("--out", default="artifacts/screenshots", help="screenshots, the files uploaded, the server log")
    parser.add_argument("--port", type=int, default=0, help="loopback port for the server (0: a free one)")
    parser.add_argument("--timeout", type=float, default=60, help="seconds to wait for a page")
    parser.add_argument("--today", type=date.fromisoformat, help="walk on another day (YYYY-MM-DD, the server's YIXIAN_TODAY)")
    parser.add_argument("--chromium", default=os.environ.get("CHROMIUM", "/usr/bin/chromium"))
    parser.add_argument("--chromedriver", default=os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
    args = parser.parse_args()

    def terminated(signum, frame):
        raise SystemExit(128 + signum)
    # A CI timeout's SIGTERM still runs the finally blocks: the server and the browser go with us.
    signal.signal(signal.SIGTERM, terminated)
    binary = os.path.abspath(args.bin)
    # Uploads hand ChromeDriver a file path, and it takes only absolute ones.
    args.out = os.path.abspath(args.out)
    os.makedirs(args.out, exist_ok=True)
    if not os.access(binary, os.X_OK):
        print(f"FAIL  --bin {binary} is not an executable file", flush=True)
        print("0 passed, 1 failed", flush=True)
        return 1

    started = time.monotonic()
    # The server's business day is China's (UTC+8); the walk lasts well under a minute.
    wait_clear_of_midnight(120)
    today = args.today or (datetime.now(timezone.utc) + timedelta(hours=8)).date()
    workdir = tempfile.mkdtemp(prefix="yixian-new-university.")
    server = EmptyServer(binary, args.port or free_port(), workdir, today=args.today)
    walk = Smoke(None, server.base, args.out, args.timeout)  # counts the checks until the browser is up
    driver = None
    try:
        try:
            calendar = Calendar(today)
            print(f"# today {today}; calendar {calendar.name}: " + "; ".join(
                f"{t['name']} {t['start']} – {t['end']} ({len(Calendar.weeks(t))} weeks)" for t in calendar.terms), flush=True)
            # DemoCalendar.swift: the demo's year runs 1 September – 31 August, its terms start on Mondays.
            demo_autumn = weekday_on_or_after(date(calendar.start.year, 9, 1), 0)
            walk.check(f"the calendar is not the demo's (its autumn term starts {demo_autumn}, this one {calendar.start})",
                       calendar.start != demo_autumn and calendar.start != date(calendar.start.year, 9, 1)
                       and all(t["start"].weekday() != 0 for t in calendar.terms))
            # README: on a new database, the first business admin is made on the server's console.
            status, output = server.cli("user", "create", "--username", ADMIN, "--role", "business-admin", "--name", ADMIN_NAME)
            found = re.search(rf"created {ADMIN} \(business-admin\); password: (\S+)", output)
            walk.require("`yixian user create --role business-admin` makes the first admin and prints a password",
                         status == 0 and found is not None, output.strip()[-300:])
            error = server.start(timeout=120)
            walk.require("`yixian serve` (no --demo) starts on the new database", error is None, error or "")
            log = server.log_text()
            walk.check("the server generated no demo university", "演示大学" not in log and "generating the demo" not in log)
            try:
                driver = make_driver(args)
            except WebDriverException as error:
                walk.require("start headless Chromium", False, error.msg)
            counts = (walk.passed, walk.failed)
            walk = NewUniversity(driver, server, args.out, args.timeout, found.group(1), today)
            walk.passed, walk.failed = counts
            walk.run()
        except CheckFailed:
            pass
        except SystemExit as stop:  # SIGTERM (a CI timeout): clean up and still say so
            walk.check("the walk finishes before it is terminated", False, f"exit {stop.code}")
        except Exception as error:  # noqa: BLE001 - reported as a failure, never a hang or a missing summary
            walk.check("the walk runs without an unexpected error", False, f"{type(error).__name__}: {error}")
    finally:
        status, tails = tear_down(driver, workdir, args.out, [(server, "new-university-server.log")])
    return summarise(walk, started, status, tails, args.out)


if __name__ == "__main__":
    sys.exit(main())
