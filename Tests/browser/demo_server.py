"""A Yixian demo server the browser journeys start and stop themselves: `serve --demo` on its own
SQLite file and data directory, loopback only, with the environment a journey needs."""
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))


class DemoServer:
    def __init__(self, binary, port, workdir, database="demo.sqlite"):
        self.binary = binary
        self.port = port
        self.workdir = workdir
        self.database = os.path.join(workdir, database)
        self.log = os.path.join(workdir, "server.log")
        self.process = None

    @property
    def base(self):
        return f"http://127.0.0.1:{self.port}"

    def port_taken(self):
        with socket.socket() as s:
            s.settimeout(1)
            return s.connect_ex(("127.0.0.1", self.port)) == 0

    def environment(self, extra_env):
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env.update(YIXIAN_SQLITE_PATH=self.database, YIXIAN_DATA_DIR=self.workdir, YIXIAN_RATE_LIMIT="off",
                   YIXIAN_POLICY_DIR=os.path.join(REPO, "policies"))
        env.update(extra_env)
        return env

    def command(self):
        return [self.binary, "serve", "--demo", "--hostname", "127.0.0.1", "--port", str(self.port)]

    def cwd(self):
        return REPO

    def start(self, extra_env, timeout, banner=None):
        """Starts the server with `extra_env` added; returns an error message or None."""
        if self.port_taken():
            return f"port {self.port} is already in use"
        with open(self.log, "a", encoding="utf-8") as log:
            if banner:
                log.write(f"\n===== {banner} =====\n")
                log.flush()
            self.process = subprocess.Popen(self.command(), cwd=self.cwd(), env=self.environment(extra_env),
                                            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return f"the server exited with status {self.process.returncode} before /healthz answered"
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=5) as answer:
                    if answer.status == 200:
                        return None
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.3)
        return f"/healthz did not answer within {timeout:.0f} s"

    def stop(self):
        """SIGTERM, then SIGKILL after 15 s; returns the exit status (None if it was not running)."""
        process, self.process = self.process, None
        if process is None:
            return None
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=15)
        return process.returncode

    def tail(self, lines=40):
        try:
            with open(self.log, encoding="utf-8", errors="replace") as f:
                return "".join(f.readlines()[-lines:])
        except OSError:
            return ""


def tear_down(driver, workdir, out, servers):
    """Ends a journey: the browser, then each `(server, log name)` stopped and its log copied to `out`,
    then the work directory. Not interrupted: a second SIGTERM, a dead browser or a closed stdout must
    not leave a server running or its files behind. Returns the first server's exit status (None when it
    was not running) and each log's last lines by name."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    if driver is not None:
        try:
            driver.quit()
        except Exception:  # noqa: BLE001
            pass
    status, tails = None, {}
    for index, (server, name) in enumerate(servers):
        stopped = server.stop()
        if index == 0:
            status = stopped
        tails[name] = server.tail()
        try:
            if os.path.exists(server.log):
                shutil.copyfile(server.log, os.path.join(out, name))
        except OSError:
            pass
    shutil.rmtree(workdir, ignore_errors=True)
    return status, tails


def summarise(journey, started, status, tails, out, stopped="the server stops on SIGTERM at the end"):
    """The journey's last words: the servers' logs when something failed, whether the server stopped
    cleanly, the time taken and the counts; returns the exit code."""
    if journey.failed:
        for name, tail in tails.items():
            print(f"--- last lines of {name} (all of it: {out}/{name}) ---\n{tail}", flush=True)
    if status is not None:  # None: no server was running (it did not start, and that was reported)
        journey.check(stopped, status in (0, -signal.SIGTERM), f"exit status {status}")
    print(f"# {time.monotonic() - started:.1f} s", flush=True)
    print(f"{journey.passed} passed, {journey.failed} failed", flush=True)
    return 1 if journey.failed or not journey.passed else 0
