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
# Detail pages worth one visit each: the first link of each shape found on the visited pages.
DETAIL = re.compile(
    r"^/(intake/alerts/\d+/|workflow/alerts/\d+/|supervision/findings/\d+/|feedback/[a-z-]+/\d+/"
    r"|deadlines/\d+/|accounts/manage/users/\d+/|intake/alerts/\d+/receipt/)$"
)
RUN = """async (tags) => {
    const r = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
    return r.violations.map((v) => ({id: v.id, help: v.help,
        nodes: v.nodes.map((n) => n.target.join(" ") + "  " + n.html.slice(0, 120))}));
}"""


def check(page: Page, url: str) -> list[str]:
    page.goto(url)
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
            problems = check(anonymous, urljoin(args.url, path))
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
                problems = check(page, urljoin(args.url, path.lstrip("/")))
                pages += 1
                failures += bool(problems)
                print(f"{'FAIL' if problems else 'ok  '} {username} {path}")
                for p in problems:
                    print("    " + p)
                for href in page.eval_on_selector_all("main a", "els => els.map(e => e.href)"):
                    link = urlsplit(href).path
                    if DETAIL.match(link) and shape(link) not in seen_shapes and link not in todo:
                        todo.append(link)
            context.close()
        browser.close()
    print(f"{pages} pages checked, {failures} with WCAG 2 A/AA violations")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
