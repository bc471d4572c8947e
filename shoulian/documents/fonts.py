"""The fonts embedded in generated PDFs, and Chinese line breaking.

A fresh machine has no Chinese font, so every PDF embeds its own: ReportLab embeds only the glyphs
used from a TrueType font. Debian's Noto CJK files are CFF-based OpenType, which ReportLab cannot
embed; the TrueType files come from npm (OFL): Noto Sans SC (``@expo-google-fonts/noto-sans-sc``,
receipts, legal documents, 黑体 headings) and Noto Serif SC (``@expo-google-fonts/noto-serif-sc``,
the 宋/仿宋/标宋 faces of official documents); AR PL UKai (Debian ``fonts-arphic-ukai``, TrueType
collection) stands in for 楷体. Each path can be overridden in settings.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

SANS = "NotoSansSC"
SANS_BOLD = "NotoSansSC-Bold"
SERIF = "NotoSerifSC"
SERIF_BOLD = "NotoSerifSC-Bold"
KAI = "ARPLUKai"

NODE_FONTS = Path("node_modules/@expo-google-fonts")
KAI_DEFAULT = Path("/usr/share/fonts/truetype/arphic/ukai.ttc")

# Punctuation that may not start a line in Chinese (GB/T 15834 行首禁则). ReportLab's CJK
# line breaker knows the Japanese set only, so a line could start with "，" or "。".
CANNOT_START_LINE_ZH = "，。、；：！？）》」』】〕〗”’…—·％"


def _path(setting: str, default: Path) -> Path:
    return Path(getattr(settings, setting, None) or default)


def _npm(package: str, weight: str, name: str) -> Path:
    return settings.BASE_DIR / NODE_FONTS / package / weight / f"{name}_{weight}.ttf"


def _require(path: Path, setting: str, package: str) -> None:
    if not path.is_file():
        raise ImproperlyConfigured(
            f"文书所需的中文字体不存在：{path}。请在项目目录运行 `npm ci`（安装 {package}），"
            f"或用 {setting} 指向 TrueType 格式的中文字体。"
        )


@cache
def register_fonts() -> None:
    """Noto Sans SC regular and bold, with ``<b>`` mapped to the bold face, and the Chinese
    line-start rule. Every PDF calls this first."""
    regular = _path("SHOULIAN_PDF_FONT", _npm("noto-sans-sc", "400Regular", "NotoSansSC"))
    bold = _path("SHOULIAN_PDF_FONT_BOLD", _npm("noto-sans-sc", "700Bold", "NotoSansSC"))
    for path, setting in ((regular, "SHOULIAN_PDF_FONT"), (bold, "SHOULIAN_PDF_FONT_BOLD")):
        _require(path, setting, "@expo-google-fonts/noto-sans-sc")
    pdfmetrics.registerFont(TTFont(SANS, str(regular)))
    pdfmetrics.registerFont(TTFont(SANS_BOLD, str(bold)))
    chinese_line_start_rules()
    # <b> inside a paragraph looks the bold face up through the family.
    pdfmetrics.registerFontFamily(
        SANS, normal=SANS, bold=SANS_BOLD, italic=SANS, boldItalic=SANS_BOLD
    )


def sans_font_path() -> Path:
    """The TrueType Noto Sans SC regular the receipts embed, for drawing charts (matplotlib)."""
    path = _path("SHOULIAN_PDF_FONT", _npm("noto-sans-sc", "400Regular", "NotoSansSC"))
    _require(path, "SHOULIAN_PDF_FONT", "@expo-google-fonts/noto-sans-sc")
    return path


def kai_font_path() -> Path:
    """The TrueType 楷体 stand-in: ``SHOULIAN_PDF_KAI_FONT`` or Debian's AR PL UKai."""
    return _path("SHOULIAN_PDF_KAI_FONT", KAI_DEFAULT)


@cache
def register_serif_fonts() -> None:
    """Noto Serif SC regular (仿宋/宋体 stand-in) and bold (小标宋 stand-in). The DOCX measures
    the signature block with them too, so it needs these but not the 楷体."""
    register_fonts()
    serif = _path("SHOULIAN_PDF_SERIF_FONT", _npm("noto-serif-sc", "400Regular", "NotoSerifSC"))
    serif_bold = _path(
        "SHOULIAN_PDF_SERIF_FONT_BOLD", _npm("noto-serif-sc", "700Bold", "NotoSerifSC")
    )
    for path, setting in (
        (serif, "SHOULIAN_PDF_SERIF_FONT"),
        (serif_bold, "SHOULIAN_PDF_SERIF_FONT_BOLD"),
    ):
        _require(path, setting, "@expo-google-fonts/noto-serif-sc")
    pdfmetrics.registerFont(TTFont(SERIF, str(serif)))
    pdfmetrics.registerFont(TTFont(SERIF_BOLD, str(serif_bold)))
    pdfmetrics.registerFontFamily(
        SERIF, normal=SERIF, bold=SERIF_BOLD, italic=SERIF, boldItalic=SERIF_BOLD
    )


@cache
def register_official_fonts() -> None:
    """Every face of the official-document PDF: Noto Sans SC (黑体 stand-in), Noto Serif SC and
    AR PL UKai (楷体 stand-in)."""
    register_serif_fonts()
    kai = kai_font_path()
    if not kai.is_file():
        raise ImproperlyConfigured(
            f"公文所需的楷体字体不存在：{kai}。请安装 Debian 软件包 fonts-arphic-ukai，"
            "或用 SHOULIAN_PDF_KAI_FONT 指向 TrueType 格式的楷体字体。"
        )
    # ukai.ttc is a collection: face 0 is AR PL UKai CN (simplified forms).
    pdfmetrics.registerFont(TTFont(KAI, str(kai), subfontIndex=0))


@cache
def chinese_line_start_rules() -> None:
    """Teach ReportLab's CJK line breakers the Chinese marks that may not start a line."""
    from reportlab.lib import textsplit
    from reportlab.platypus import paragraph

    # Both breakers (plain paragraphs: textsplit; paragraphs with markup: paragraph) read their
    # module's global: a mark that would start a new line is kept at the end of the previous one.
    for module in (textsplit, paragraph):
        known = module.ALL_CANNOT_START  # type: ignore[attr-defined]
        module.ALL_CANNOT_START = known + "".join(  # type: ignore[attr-defined]
            c for c in CANNOT_START_LINE_ZH if c not in known
        )
