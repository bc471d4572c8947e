"""The desk as a clerk uses it, in Chromium: a walk-in report typed on the keyboard with two
evidence files, submitted with Ctrl+Enter, the receipt opened and its PDF read back."""

from __future__ import annotations

import shutil
import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from shoulian.accounts.choices import Role
from shoulian.conftest import assert_accessible, login_as, make_bureau, make_user, screenshot
from shoulian.intake import services
from shoulian.intake.models import Alert
from shoulian.intake.tests.helpers import ID_NUMBER, MOBILE, sample_pdf, sample_png

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def signed_in(page: Any, live_server: Any, user: Any) -> None:
    """The session of a user who passed password and TOTP, handed to the browser."""
    client = login_as(Client(), user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


def test_clerk_registers_a_walk_in_alert_with_two_files_and_reads_the_receipt(
    page: Any, live_server: Any, tmp_path: Path
) -> None:
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils (pdftotext) not installed")
    services.category_seed_standard()  # transactional tests flush the data migration's rows
    bureau = make_bureau("3501", "甲")
    clerk = make_user("zhang.clerk", bureau.center, Role.CLERK, full_name="张欣然")
    signed_in(page, live_server, clerk)
    photo, letter = tmp_path / "现场照片.png", tmp_path / "转账记录.pdf"
    photo.write_bytes(sample_png(size=(64, 48)))
    letter.write_bytes(sample_pdf("transfer record"))

    page.goto(f"{live_server.url}/intake/register/")
    # The first field has the focus: the clerk starts typing at once.
    assert page.evaluate("document.activeElement.id") == "id_channel"
    page.select_option("#id_report_form", "written")
    incident = timezone.localtime() - timedelta(hours=6)
    page.fill("#id_incident_at", incident.strftime("%Y-%m-%dT%H:%M"))
    page.select_option("#id_category", label="电信网络诈骗")
    page.fill("#id_incident_place", "甲城关街道北大路18号")
    page.get_by_text("管辖建议").wait_for()
    expect(page.get_by_text("甲城关派出所").first).to_be_visible()
    page.fill(
        "#id_narrative",
        "报案人称其被拉入“兼职刷单”群，按对方要求先后转账三次共计人民币12800元，后无法提现。",
    )
    page.fill("#id_party-0-name", "陈美玲")
    page.select_option("#id_party-0-gender", "female")
    page.fill("#id_party-0-id_number", ID_NUMBER)
    page.fill("#id_party-0-phone", MOBILE)
    page.fill("#id_item-0-name", "转账记录截图（打印件）")
    page.fill("#id_item-0-quantity", "3")
    page.fill("#id_item-0-pages", "3")
    page.set_input_files("#id_evidence_files", [str(photo), str(letter)])
    screenshot(page, "intake-register-form")
    assert_accessible(page)

    page.focus("#id_narrative")
    page.keyboard.press("Control+Enter")
    page.wait_for_url("**/receipt/")
    code = page.locator(".query-code").inner_text().strip()
    assert len(code) == 11 and code[5] == "-"
    screenshot(page, "intake-receipt-page")
    assert_accessible(page)

    pdf_url = page.get_attribute("#print-receipt", "href")
    response = page.request.get(f"{live_server.url}{pdf_url}")
    assert response.ok and response.headers["content-type"] == "application/pdf"
    path = tmp_path / "receipt.pdf"
    path.write_bytes(response.body())
    text = subprocess.run(  # noqa: S603 - fixed poppler command, our own file
        ["pdftotext", str(path), "-"],  # noqa: S607
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    compact = "".join(text.split())
    assert code in compact and "接报案回执" in compact

    alert = Alert.objects.get()
    assert alert.query_code_display == code
    assert sorted(alert.evidence_files.values_list("original_name", flat=True)) == [
        "现场照片.png",
        "转账记录.pdf",
    ]
    assert alert.receipt_print_count == 1
