"""Sample official documents: a periodical 通报 that runs to a second page, with a table and a
chart, and a short letter under the organ's mark with a 发文字号."""

from __future__ import annotations

import datetime as dt
import io

from PIL import Image, ImageDraw

from shoulian.documents.official import (
    ImageBlock,
    OfficialDocument,
    Periodical,
    Section,
    TableBlock,
)

ISSUER = "沙县公安分局受立案管理中心"


def bar_chart() -> bytes:
    """A small bar chart as a PNG (what a bulletin's statistics would carry)."""
    image = Image.new("RGB", (600, 260), "white")
    draw = ImageDraw.Draw(image)
    draw.line((40, 230, 580, 230), fill="black", width=2)
    draw.line((40, 20, 40, 230), fill="black", width=2)
    for i, value in enumerate((120, 80, 160, 60, 190)):
        left = 70 + i * 100
        draw.rectangle((left, 230 - value, left + 60, 229), fill=(60, 110, 180))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def bulletin() -> OfficialDocument:
    paragraph = (
        "各所队要对照巡查发现的问题逐项整改，整改情况于规定期限内报受立案管理中心，"
        "由中心会同法制大队逐级审核销号；对整改不到位、同类问题反复出现的，依照执法质量考评规定扣分，"
        "并视情约谈所队负责人。"
    )
    return OfficialDocument(
        issuer=ISSUER,
        title="关于2026年11月受立案巡查监督情况的通报",
        date=dt.date(2026, 12, 7),
        number="沙公受〔2026〕12号",
        periodical=Periodical(name="受立案巡查监督通报", issue="第12期"),
        recipients=["各派出所", "刑侦大队", "治安大队", "经侦大队"],
        body=[
            "为落实受案立案制度改革要求，推动警情全闭环管理，现将2026年11月受立案巡查监督情况通报如下。",
            Section(
                "总体情况",
                [
                    "11月，全局共接报警情679起，其中来所报警213起、自助终端报警241起；"
                    "中心日常巡查违法犯罪类警情815起，审查现场处警视音频资料312件。",
                    TableBlock(
                        rows=[
                            ["单位", "接报警情", "巡查发现", "已整改"],
                            ["城关派出所", "186", "4", "4"],
                            ["凤岗派出所", "143", "3", "2"],
                            ["刑侦大队", "57", "1", "1"],
                        ],
                        widths=[3, 2, 2, 2],
                        caption="表1 各单位巡查发现及整改情况",
                    ),
                    ImageBlock(data=bar_chart(), width_mm=120, caption="图1 各单位接报警情数"),
                ],
            ),
            Section(
                "存在的问题",
                [
                    Section(
                        "受案登记不及时",
                        ["个别派出所对来所报警未当场登记、未当场出具回执，" * 3],
                    ),
                    Section(
                        "立案审查超期",
                        [
                            Section("刑事案件立案审查超过七日未作决定。"),
                            Section("不予立案通知书未在三日内送达报案人。"),
                        ],
                    ),
                ],
            ),
            Section("工作要求", [paragraph, paragraph, paragraph]),
        ],
        cc=["局领导", "法制大队", "纪检监察室"],
    )


def letter() -> OfficialDocument:
    return OfficialDocument(
        issuer=ISSUER,
        title="关于报送受立案整改情况的函",
        date=dt.date(2026, 1, 5),
        number="沙公受〔2026〕3号",
        recipients=["城关派出所"],
        body=["请于本月十日前报送整改情况。"],
    )
