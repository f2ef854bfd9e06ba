"""One card per visit on the patient page: date, treatment, touch-up or repeat marker, a
thumbnail per view, units per product and how many chart versions were saved."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QLabel, QWidget

from app.domain.values import TreatmentType
from app.services.signoff import VersionSignOff
from app.services.visits import TimelineEntry
from ui.common import format as fmt
from ui.common import images
from ui.common.context import AppContext
from ui.common.sign_off import short_status
from ui.common.widgets import Card, hbox, label, vbox

THUMB = QSize(112, 140)  # portrait, like the photos; big enough to recognise the expression


class Thumbnail(QWidget):
    """A photo thumbnail with its view's name under it."""

    def __init__(self, ctx: AppContext, view_name: str, sha256: str) -> None:
        super().__init__()
        self.setObjectName("thumbnail")
        lay = vbox(self, spacing=4)
        self.picture = QLabel()
        self.picture.setObjectName("thumbPicture")
        self.picture.setFixedSize(THUMB)
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.picture.setPixmap(images.fitted(images.thumbnail(ctx.store, sha256), THUMB))
        lay.addWidget(self.picture)
        name = label(view_name, "small")
        name.setAlignment(Qt.AlignmentFlag.AlignCenter)
        name.setFixedWidth(THUMB.width())
        lay.addWidget(name)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)


class VisitCard(Card):
    def __init__(
        self,
        ctx: AppContext,
        entry: TimelineEntry,
        touch_up_of: str | None,
        repeat: bool = False,
        sign_off: VersionSignOff | None = None,
    ) -> None:
        super().__init__()
        self.entry = entry
        v = entry.visit
        self.setObjectName("visitCard")
        row = hbox(self, margins=16, spacing=20)

        facts = QWidget()
        facts.setFixedWidth(330)
        col = vbox(facts, spacing=4)
        self.date_label = label(fmt.day(v.visit_date), "heading")
        col.addWidget(self.date_label)
        kind = hbox(spacing=8)
        kind.addWidget(label(v.treatment_type.label, "body"))
        if v.touch_up_of_id is not None:
            badge = label("Touch-up", "badge")
            badge.setObjectName("touchUpBadge")
            kind.addWidget(badge)
        elif repeat:  # the same treatment charted before: its editor shows that chart
            badge = label("Repeat", "badge")
            badge.setObjectName("repeatBadge")
            kind.addWidget(badge)
        kind.addStretch(1)
        col.addLayout(kind)
        if touch_up_of:
            col.addWidget(label(f"after the visit of {touch_up_of}", "muted"))
        lines = fmt.units_lines(ctx, entry.units)
        charted = entry.version_count > 0
        empty = (
            "Treated areas and needle depths"
            if v.treatment_type is TreatmentType.MICRONEEDLING
            else "No injection points"
        )
        self.units_label = label("\n".join(lines) if lines else empty, "body")
        self.units_label.setObjectName("visitUnits")
        self.units_label.setProperty("strong", bool(lines))
        self.units_label.setVisible(charted)  # "no points" would mislead before any chart
        col.addWidget(self.units_label)
        self.versions_label = label(
            fmt.plural(entry.version_count, "chart version") if charted else "No chart saved",
            "muted",
        )
        col.addWidget(self.versions_label)
        # the newest version's sign-off: signed (by whom), amended, or not signed
        self.sign_off_label = label(short_status(sign_off) if charted else "", "muted")
        self.sign_off_label.setObjectName("visitSignOff")
        self.sign_off_label.setWordWrap(True)
        self.sign_off_label.setVisible(bool(self.sign_off_label.text()))
        col.addWidget(self.sign_off_label)
        if v.practitioner:
            col.addWidget(label(f"by {v.practitioner}", "muted"))
        col.addStretch(1)
        row.addWidget(facts)

        self.thumbnails = [Thumbnail(ctx, name, sha) for _code, name, sha in entry.photos]
        for t in self.thumbnails:
            row.addWidget(t, 0, Qt.AlignmentFlag.AlignTop)
        if not self.thumbnails:
            row.addWidget(label("No photos yet", "muted"), 0, Qt.AlignmentFlag.AlignVCenter)
        row.addStretch(1)
        row.addWidget(label("›", "chevron"), 0, Qt.AlignmentFlag.AlignVCenter)
        # Children must not swallow the tap meant for the card.
        for child in facts.findChildren(QWidget):
            child.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
