"""Check a running demo (``make run``) with axe-core as each demo account: the home page, every link
in the side navigation, and the first detail page each list links to. Prints each page with its
WCAG 2 A/AA violations (rule and element) and exits non-zero when there is one.

    .venv/bin/python tools/axe_pages.py --url http://127.0.0.1:8000/

The browser tests check their own pages with ``shoulian.conftest.assert_accessible``; this is the
same check over the demo's data, which has more shapes (long lists, every status)."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
USERS = (
    "center.clerk",
    "fenggang.officer1",
    "fenggang.leader",
    "fenggang.legal",
    "center.head",
    "legal.reviewer1",
    "bureau.head",
    "inspector",
    "sysadmin",
)
# Pages linked from the visited ones are followed too, one per shape (numbers ignored), except
# downloads (PDF, DOCX, XLSX, CSV), which axe cannot read, and pages outside the staff site.
SKIP = re.compile(r"(pdf|docx|xlsx|csv|download|export|/static/|/media/|/admin/|/q/|/kiosk/)", re.I)
PER_USER = 80
RUN = """async (tags) => {
    const r = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
    return r.violations.map((v) => ({id: v.id, help: v.help,
        nodes: v.nodes.map((n) => n.target.join(" ") + "  " + n.html.slice(0, 120))}));
}"""


def check(page: Page, url: str) -> list[str] | None:
    """The page's violations; None when it is not a page (a POST-only address, an error)."""
    try:
        response = page.goto(url)
    except PlaywrightError:
        return None
    if response is None or not response.ok:
        return None
    page.wait_for_load_state("networkidle")
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    found = page.evaluate(RUN, TAGS)
    return [f"{v['id']}: {v['help']}\n      " + "\n      ".join(v["nodes"][:5]) for v in found]


def shape(path: str) -> str:
    return re.sub(r"\d+", "N", path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000/")
    parser.add_argument("--password", default="Shoulian-Demo-2026")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--user", action="append", help="only these accounts (repeatable)")
    args = parser.parse_args()
    failures = 0
    pages = 0
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=args.chromium, args=["--no-sandbox"])
        anonymous = browser.new_context(locale="zh-CN").new_page()
        for path in ("accounts/login/", "q/"):
            problems = check(anonymous, urljoin(args.url, path)) or []
            pages += 1
            failures += bool(problems)
            print(f"{'FAIL' if problems else 'ok  '} (public) /{path}")
            for p in problems:
                print("    " + p)
        for username in args.user or USERS:
            context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
            page = context.new_page()
            page.goto(urljoin(args.url, "accounts/login/"))
            page.get_by_label("用户名").fill(username)
            page.get_by_label("密码").fill(args.password)
            page.get_by_role("button", name="登录").click()
            page.wait_for_load_state("networkidle")
            if "/accounts/" in page.url:
                print(f"FAIL {username}: could not log in ({page.url})")
                failures += 1
                continue
            todo = ["/"] + [
                urlsplit(h).path
                for h in page.eval_on_selector_all(".sidenav a", "els => els.map(e => e.href)")
            ]
            seen_shapes: set[str] = set()
            while todo:
                path = todo.pop(0)
                if shape(path) in seen_shapes:
                    continue
                seen_shapes.add(shape(path))
                found = check(page, urljoin(args.url, path.lstrip("/")))
                if found is None:
                    print(f"skip {username} {path} (not a page)")
                    continue
                problems = found
                pages += 1
                failures += bool(problems)
                print(f"{'FAIL' if problems else 'ok  '} {username} {path}")
                for p in problems:
                    print("    " + p)
                if len(seen_shapes) >= PER_USER:
                    break
                for href in page.eval_on_selector_all("main a", "els => els.map(e => e.href)"):
                    parts = urlsplit(href)
                    link = parts.path
                    if parts.netloc != urlsplit(args.url).netloc or SKIP.search(link):
                        continue
                    if shape(link) not in seen_shapes and link not in todo:
                        todo.append(link)
            context.close()
        browser.close()
    print(f"{pages} pages checked, {failures} with WCAG 2 A/AA violations")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
