#!/usr/bin/env python3
"""Browser journey: an unanswered case escalates (督办) across the National Day holiday.

Starts its own demo server (fresh SQLite file and data directory, loopback, rate limits off) with the
business date set by YIXIAN_TODAY. On 2026-09-29, the Tuesday before the holiday, the student raises a
case in the portal and the office gives it to a college that never answers. The server is then
stopped and restarted on the same database at later dates, and the office's queue and the case page
are checked at each: not overdue inside the holiday nor on the answer day, escalated to the unit head
after it, and to the office three workdays later. Nothing in the server is timer-driven; each view
computes the escalation from the stored case and the date, so a restart is all it takes.

hnust-2025's `response` rule gives an ordinary case a first response in 2 and an answer in 5
workdays, counted from the day after receipt on the PRC workday calendar
(Sources/YixianCore/Calendar/WorkdayCalendarData.swift: 国庆节 2026-10-01..07 off, Saturday 10-10 a
make-up workday). Received Tuesday 09-29:
    09-30 (1) | 10-01..10-07 holiday | 10-08 (2, first response due) | 10-09 (3) | Sat 10-10 调休 (4)
    | Mon 10-12 (5, answer due)
so the answer is due 2026-10-12 — in calendar days it would be 10-04, inside the holiday; without the
make-up Saturday, 10-13. Escalation (CaseWorkflow.swift, CaseEscalation): after the answer day the
unit's head (单位督办); from 3 workdays past it the office (学校督办): 10-13 and 10-14 unit head,
10-15 the office.

Prints one line per check and `N passed, M failed`; exits 1 if anything failed.

    python3 Tests/browser/escalation.py --bin .build/debug/yixian --out artifacts/screenshots [--port 18090]
"""
import argparse
import os
import signal
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from demo_server import DemoServer, summarise, tear_down  # noqa: E402
from smoke import (DESKTOP, PASSWORD, PHONE, CheckFailed, Smoke, make_driver)  # noqa: E402
from selenium.common.exceptions import WebDriverException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))

RECEIVED = "2026-09-29"
FIRST_RESPONSE_DUE = "2026-10-08"
ANSWER_DUE = "2026-10-12"
# The college the office gives the case to: the demo `secretary`'s, so its secretary sees the 督办 too.
UNIT = "计算机科学与技术学院"
# Each later day the server is restarted on, and the 督办 tag the case must (or must not) carry then.
# "" is no tag: not overdue.
STOPS = [
    ("2026-10-07", "", "the last day of the holiday: in calendar days it would be 3 days late"),
    ("2026-10-12", "", "the answer day itself, reached only by counting Saturday 10-10 (调休)"),
    ("2026-10-13", "单位督办", "one workday late: the unit's head supervises it"),
    ("2026-10-14", "单位督办", "two workdays late: still with the unit's head"),
    ("2026-10-15", "学校督办", "three workdays late: the office supervises it"),
]
ESCALATION_TAGS = {"单位督办", "学校督办"}


class Server(DemoServer):
    """The demo server on a fixed SQLite file and data directory, restarted at another date."""

    def __init__(self, binary, port, workdir):
        super().__init__(binary, port, workdir, database="escalation.sqlite")

    def start(self, today, timeout):
        """Starts `serve --demo` with YIXIAN_TODAY=today; returns an error message or None."""
        return super().start({"YIXIAN_TODAY": today}, timeout, banner=f"serve --demo with YIXIAN_TODAY={today}")


def wait_clear_of_midnight(margin):
    """The server keeps the time of day and runs it on from YIXIAN_TODAY: a server that lived
    across midnight in China (UTC+8) would move its date by one. Each lives a minute or two, so
    it starts only when midnight is more than `margin` seconds away."""
    seconds = (time.time() + 8 * 3600) % 86400
    if seconds > 86400 - margin:
        pause = 86400 - seconds + 5
        print(f"# waiting {pause:.0f} s for midnight in China to pass", flush=True)
        time.sleep(pause)


class Escalation(Smoke):
    def __init__(self, driver, server, out, timeout):
        super().__init__(driver, server.base, out, timeout)
        self.server = server
        self.case = {}
        # The queue's counts at the previous stop, and whether this case was in them.
        self.cards = None

    def serve(self, today):
        """(Re)starts the server at `today`; a failure ends the journey."""
        if self.server.process is not None:
            status = self.server.stop()
            self.check(f"{today}: the server stops on SIGTERM", status is not None and status in (0, -signal.SIGTERM),
                       f"exit status {status}")
        # The first server generates the demo and sees the case raised and dispatched: a few minutes at most.
        wait_clear_of_midnight(300 if not self.case else 120)
        started = time.monotonic()
        # The first start generates the demo university; restarts only migrate and open the file.
        error = self.server.start(today, timeout=240 if not self.case else 60)
        self.require(f"{today}: the server starts with YIXIAN_TODAY={today}", error is None, error or "")
        print(f"#   up in {time.monotonic() - started:.1f} s", flush=True)

    def receive(self):
        """Tuesday 2026-09-29: the student raises a case; the office gives it to a college."""
        def student():
            self.driver.set_window_size(*PHONE)
            number, path = self.student_raises_case("received", "life", "学院自习室晚上十点就关门",
                                                    "学院自习室晚上十点就关门，期末复习不够用，希望开放到十二点")
            self.case.update(number=number, path=path)
            facts = self.case_facts()
            self.require("received: on the day YIXIAN_TODAY set", facts.get("收到日期") == RECEIVED, repr(facts.get("收到日期")))
            self.check("received: the number carries the day", number.startswith("YX-" + RECEIVED.replace("-", "") + "-"), number)
            self.check(f"received: first response due {FIRST_RESPONSE_DUE} (the holiday skipped)",
                       facts.get("首次响应期限") == FIRST_RESPONSE_DUE, repr(facts.get("首次响应期限")))
            self.check(f"received: answer due {ANSWER_DUE} (the holiday skipped, Saturday 10-10 counted)",
                       facts.get("答复期限") == ANSWER_DUE, repr(facts.get("答复期限")))
            self.logout_and_check("received-student")

        def office():
            self.require("received: the case was raised", "number" in self.case)
            self.driver.set_window_size(*DESKTOP)
            self.office_dispatches("received", self.case["number"], "life", UNIT)
            self.require("received: the office is on the student's case", self.path() == self.case["path"], self.path())
            self.check("received: no 督办 on the day it arrives", not ESCALATION_TAGS & set(self.case_tags()), repr(self.case_tags()))
            self.case["dispatched"] = self.case_tags()[:1] == ["办理中"]
            self.logout_and_check("received-office")

        self.scenario("escalation-received-student", student)
        self.scenario("escalation-received-office", office)

    def queue_cards(self):
        """The counts above the office's queue: {待分派, 已逾期, 学校督办: n}."""
        cards = {}
        for card in self.driver.find_elements(By.CSS_SELECTOR, "main .cards .card"):
            label = card.find_element(By.CSS_SELECTOR, ".label").get_attribute("textContent").strip()
            number = card.find_element(By.CSS_SELECTOR, ".num").get_attribute("textContent").strip()
            cards[label] = int(number) if number.isdigit() else None
        return cards

    def office_sees(self, today, expected, why):
        def body():
            self.require(f"{today}: the case was dispatched", self.case.get("dispatched", False))
            self.driver.set_window_size(*DESKTOP)
            self.submit_login("office", PASSWORD)
            self.wait_for_path("/")
            shown = expected or "no 督办"
            row = self.queue_row("status=assigned&category=life", self.case["number"])
            self.require(f"{today}: the office's queue lists the case in progress", row is not None)
            cells, tags, link = row
            self.check(f"{today}: the queue shows it 办理中", "办理中" in tags, repr(tags))
            self.check(f"{today}: the queue shows its answer day {ANSWER_DUE}", ANSWER_DUE in cells, repr(cells))
            escalation = sorted(ESCALATION_TAGS & set(tags))
            self.check(f"{today}: the queue shows {shown} ({why})", escalation == ([expected] if expected else []), repr(tags))
            # No case leaves 已逾期 or 学校督办 as days pass (nothing is answered here), so each count
            # grows by at least one on the day this case enters it.
            cards = self.queue_cards()
            self.require(f"{today}: the queue counts overdue and escalated cases",
                         isinstance(cards.get("已逾期"), int) and isinstance(cards.get("学校督办"), int), repr(cards))
            # No case leaves 已逾期 or 学校督办 as days pass (nothing is answered here), so neither count
            # shrinks, and each grows by at least one on the day this case enters it.
            counted = {"已逾期": expected in ESCALATION_TAGS, "学校督办": expected == "学校督办"}
            if self.cards is not None:
                before, was_counted = self.cards
                for card in ("已逾期", "学校督办"):
                    enters = counted[card] and not was_counted[card]
                    self.check(f"{today}: 「{card}」 {'grows by at least one' if enters else 'does not shrink'}"
                               f" ({before[card]} → {cards[card]})", cards[card] >= before[card] + (1 if enters else 0))
            self.cards = (cards, counted)
            link.click()
            self.wait(lambda d: self.on_case_page() and d.execute_script("return document.readyState") == "complete",
                      "the case page")
            self.check(f"{today}: the row leads to the student's case", self.path() == self.case["path"], self.path())
            facts = self.case_facts()
            self.check(f"{today}: the case page still says answer due {ANSWER_DUE}", facts.get("答复期限") == ANSWER_DUE,
                       repr(facts.get("答复期限")))
            page = sorted(ESCALATION_TAGS & set(self.case_tags()))
            self.check(f"{today}: the case page shows {shown}", page == ([expected] if expected else []), repr(self.case_tags()))
            self.screenshot(os.path.join(self.out, f"escalation-{today}.png"))
            self.logout_and_check(f"{today}-office")

        self.scenario(f"escalation-{today}-office", body)

    def secretary_sees(self, today, expected):
        """The unit the case was given to sees its own 督办 in its queue."""
        def body():
            self.require(f"{today}: the case exists", "number" in self.case)
            self.driver.set_window_size(*PHONE)
            self.submit_login("secretary", PASSWORD)
            self.wait_for_path("/")
            row = self.queue_row("status=assigned&category=life", self.case["number"])
            self.require(f"{today}: the college's secretary has the case in their queue", row is not None)
            self.check(f"{today}: the secretary's queue shows {expected}", expected in row[1], repr(row[1]))
            self.screenshot(os.path.join(self.out, f"escalation-{today}-secretary-phone.png"))
            self.logout_and_check(f"{today}-secretary")

        self.scenario(f"escalation-{today}-secretary", body)

    def run(self):
        try:
            self.serve(RECEIVED)
            self.receive()
            self.require("the case was raised and dispatched", self.case.get("dispatched", False))
            for today, expected, why in STOPS:
                self.serve(today)
                self.office_sees(today, expected, why)
                if expected == "单位督办" and today == "2026-10-13":
                    self.secretary_sees(today, expected)
        except CheckFailed:
            pass


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bin", required=True, help="the yixian binary")
    parser.add_argument("--out", default="artifacts/screenshots", help="screenshot folder")
    parser.add_argument("--port", type=int, default=18090, help="loopback port for the server")
    parser.add_argument("--timeout", type=float, default=60, help="seconds to wait for a page")
    parser.add_argument("--chromium", default=os.environ.get("CHROMIUM", "/usr/bin/chromium"))
    parser.add_argument("--chromedriver", default=os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
    args = parser.parse_args()
    binary = os.path.abspath(args.bin)

    def terminated(signum, frame):
        raise SystemExit(128 + signum)
    # A CI timeout's SIGTERM still runs the finally blocks: the server and the browser go with us.
    signal.signal(signal.SIGTERM, terminated)
    # Uploads hand ChromeDriver a file path, and it takes only absolute ones.
    args.out = os.path.abspath(args.out)
    os.makedirs(args.out, exist_ok=True)
    if not os.access(binary, os.X_OK):
        print(f"FAIL  --bin {binary} is not an executable file", flush=True)
        print("0 passed, 1 failed", flush=True)
        return 1

    started = time.monotonic()
    workdir = tempfile.mkdtemp(prefix="yixian-escalation.")
    server = Server(binary, args.port, workdir)
    driver = None
    journey = None
    try:
        try:
            driver = make_driver(args)
        except WebDriverException as error:
            print(f"FAIL  start headless Chromium ({error.msg})", flush=True)
            print("0 passed, 1 failed", flush=True)
            return 1
        journey = Escalation(driver, server, args.out, args.timeout)
        try:
            journey.run()
        except Exception as error:  # noqa: BLE001 - reported as a failure, never a hang or a missing summary
            journey.check("the journey runs without an unexpected error", False, f"{type(error).__name__}: {error}")
    finally:
        status, tails = tear_down(driver, workdir, args.out, [(server, "escalation-server.log")])
    return summarise(journey, started, status, tails, args.out)


if __name__ == "__main__":
    sys.exit(main())
