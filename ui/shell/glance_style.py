"""The glance charts' look (issue #14), shared by the dose, interval and depth charts and the
photo row: one palette for zones and areas, one text size readable at arm's length."""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont

# Okabe–Ito: told apart with the common colour-vision deficiencies; yellow left out (on white)
ZONE_COLOURS = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#000000",
    "#7A8896",
)
INK = QColor("#17212B")
MUTED = QColor("#4A5868")
GRID = QColor("#D5DCE3")
TOO_SOON = QColor("#A1221A")
APART = QColor("#0B6B70")
TEXT_PX = 19  # readable at arm's length on a 13" touch laptop (the style's 14 pt)
SMALL_PX = 17


def font(px: int = TEXT_PX, bold: bool = False) -> QFont:
    f = QFont()
    f.setPixelSize(px)
    f.setBold(bold)
    return f


def luminance(c: QColor) -> float:
    """Relative luminance 0–1 (WCAG): above ~0.18 dark text reads better than white."""

    def linear(v: float) -> float:
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(c.redF()) + 0.7152 * linear(c.greenF()) + 0.0722 * linear(c.blueF())
