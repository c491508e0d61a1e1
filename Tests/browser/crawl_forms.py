#!/usr/bin/env python3
"""Crawls the web pages as every demo role and submits every form with hostile values.

The API has its OpenAPI document for Schemathesis; the pages have none, so this walks them:
each role follows the links it is shown (same origin, breadth first), and every POST form it
finds is sent once per hostile payload (NUL and other control characters, a 10,000-character
string, impossible dates and numbers, markup, a path) with the page's own CSRF token. Any 5xx,
or a page that does not answer, is a failure: bad input must get a clear 4xx or the form again.

    python3 Tests/browser/crawl_forms.py --base http://127.0.0.1:18080 [--pages 120]

Needs only `requests` (scripts/ci-install.sh installs it). Exit status 1 on any failure.
"""
import argparse
import re
import sys
import time
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import requests

PASSWORD = "yixian2026"
ROLES = ["office", "secretary", "cadre", "leader", "assessor", "student", "admin", "security", "audit"]
# Forms that end the session or would lock a later role out are left alone: a deactivation
# form's only field is its hidden CSRF token, so hostile values test nothing there anyway.
SKIPPED_ACTIONS = ("/logout", "/login")
SKIPPED_SUFFIXES = ("/deactivate",)
PAYLOADS = {
    "nul": "a\x00b",
    "controls": "\x01\x02\x1b[31m\x7f",
    "long": "长" * 10_000,
    "impossible-date": "2025-02-30",
    "huge-number": "99999999999999999999999",
    "negative": "-1",
    "markup": "<script>alert(1)</script>\"'><img src=x>",
    "path": "../../etc/passwd",
    "empty": "",
}


class PageParser(HTMLParser):
    """Links and forms of one page, with each form's fields and their first values."""

    def __init__(self):
        super().__init__()
        self.links, self.forms = [], []
        self._form = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self._form = {"action": a.get("action", ""), "method": (a.get("method") or "get").lower(),
                          "enctype": a.get("enctype", ""), "fields": {}, "files": []}
            self.forms.append(self._form)
        elif self._form is not None and tag in ("input", "textarea", "select") and a.get("name"):
            kind = (a.get("type") or "text").lower()
            if kind == "file":
                self._form["files"].append(a["name"])
            elif kind not in ("submit", "button", "image", "reset"):
                self._form["fields"].setdefault(a["name"], {"type": kind, "value": a.get("value", "")})
            if tag == "select":
                self._select = a["name"]
        elif tag == "option" and self._select and self._form is not None:
            field = self._form["fields"][self._select]
            if not field["value"]:
                field["value"] = a.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def login(base, username):
    session = requests.Session()
    page = session.get(base + "/login", timeout=30)
    token = re.search(r'name="_csrf" value="([^"]+)"', page.text).group(1)
    reply = session.post(base + "/login", data={"_csrf": token, "username": username, "password": PASSWORD},
                         timeout=30, allow_redirects=False)
    if reply.status_code not in (302, 303):
        raise RuntimeError(f"{username} could not sign in (status {reply.status_code})")
    return session


def same_site(base, url):
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and f"{parts.scheme}://{parts.netloc}" == base


ID = re.compile(r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}|\b[A-Z0-9]{8}\b|\d{4,}")


def pattern(path):
    """A page's shape: /ledger/<uuid>/edit for every record's edit page."""
    return ID.sub("{id}", path)


def fetch(session, method, url, label, failures, **options):
    """The reply, or None after recording a failure: no answer, or a 5xx."""
    try:
        reply = session.request(method, url, timeout=60, allow_redirects=False, **options)
    except requests.RequestException as error:
        failures.append(f"{label}: no answer ({error})")
        return None
    if reply.status_code >= 500:
        failures.append(f"{label}: {reply.status_code}")
        return None
    return reply


def crawl(base, role, max_pages, failures):
    session = login(base, role)
    seen, queue, forms, pages, shapes = set(), ["/"], {}, 0, {}
    while queue and pages < max_pages:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        # Two pages of each shape: a thousand ledger records add nothing a second one does not.
        shape = pattern(path)
        shapes[shape] = shapes.get(shape, 0) + 1
        if shapes[shape] > 2:
            continue
        reply = fetch(session, "GET", base + path, f"{role} GET {path}", failures)
        pages += 1
        if reply is None:
            continue
        if "text/html" not in reply.headers.get("Content-Type", ""):
            continue
        parser = PageParser()
        parser.feed(reply.text)
        for href in parser.links:
            url = urljoin(base + path, href)
            if not same_site(base, url):
                continue
            parts = urlsplit(url)
            # Paging and filter variants of one list add nothing but time.
            target = parts.path + ("?" + parts.query if parts.query and "page=" not in parts.query else "")
            if target not in seen and not parts.path.startswith("/logout") and not parts.path.startswith("/evidence"):
                queue.append(target)
        for form in parser.forms:
            action = urlsplit(urljoin(base + path, form["action"] or path)).path
            if form["method"] == "post" and not action.startswith(SKIPPED_ACTIONS) and not action.endswith(SKIPPED_SUFFIXES):
                forms.setdefault(pattern(action), (action, path, form))
    return session, pages, forms


def attack(base, role, session, forms, failures):
    sent = 0
    for _, (action, page, form) in sorted(forms.items()):
        for name, payload in PAYLOADS.items():
            # A fresh token each time: the page's own, as a browser would send it.
            fresh = session.get(base + page, timeout=60)
            token = re.search(r'name="_csrf" value="([^"]+)"', fresh.text)
            data = {}
            for field, spec in form["fields"].items():
                if field == "_csrf":
                    continue
                data[field] = payload if spec["type"] != "hidden" or name == "nul" else spec["value"]
            if token:
                data["_csrf"] = token.group(1)
            files = {f: ("junk.jpg", b"\x00" * 64 + payload.encode("utf-8", "surrogatepass"), "image/jpeg") for f in form["files"]}
            multipart = files or "multipart" in form["enctype"]
            fetch(session, "POST", base + action, f"{role} POST {action} [{name}]", failures, data=data,
                  files=(files or {"_": ("", b"")}) if multipart else None)
            sent += 1
    return sent


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", required=True)
    parser.add_argument("--pages", type=int, default=120, help="pages to visit per role")
    args = parser.parse_args()
    base = args.base.rstrip("/")
    started = time.monotonic()
    failures, total_pages, total_posts = [], 0, 0
    for role in ROLES:
        session, pages, forms = crawl(base, role, args.pages, failures)
        posts = attack(base, role, session, forms, failures)
        print(f"{role}: {pages} pages, {len(forms)} forms, {posts} hostile submissions")
        for shape in sorted(forms):
            print(f"    form {shape}")
        total_pages += pages
        total_posts += posts
    for failure in failures:
        print("FAIL  " + failure)
    print(f"# {time.monotonic() - started:.1f} s")
    print(f"{total_pages} pages, {total_posts} submissions, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
