"""The editor's own style: a dark frame around the photo (skin tones read truer against
neutral grey-blue than against white) and light panels. Applied to the editor widget only, so
it works inside the app's style sheet and on its own (tests, screenshots)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

EDITOR_QSS = """
ChartEditor, #editorBody { background: #2A323B; }
#toolRail { background: #222A32; border-right: 1px solid #10161C; }
#toolRail QPushButton {
    font-size: 13pt; font-weight: 600; color: #F3F5F7; background: #34404C;
    border: 2px solid #4A5868; border-radius: 10px; padding: 4px;
    min-height: 44px;  /* 56 px with padding and border: nine rows fit a 720-px screen */
}
#toolRail QPushButton:checked { background: #0B6B74; border-color: #5FD3DC; }
#toolRail QPushButton:pressed { background: #0B4F57; }
#toolRail QPushButton:disabled { color: #6B7885; background: #2A323B; border-color: #36414B; }
#viewBar { background: #222A32; }
#viewBar QPushButton {
    font-size: 14pt; font-weight: 600; color: #F3F5F7; background: #34404C;
    border: 2px solid #4A5868; border-radius: 10px; padding: 4px 9px;  /* 1280 px wide fits */
}
#viewBar QPushButton:checked { background: #0B6B74; border-color: #5FD3DC; }
#sidePanel { background: #F3F5F7; border-left: 1px solid #10161C; }
#sidePanel QPushButton {
    font-size: 13pt; font-weight: 600; color: #17212B; background: #FFFFFF;
    border: 2px solid #9AA8B5; border-radius: 10px; padding: 2px 6px;
}
#sidePanel QPushButton:checked { background: #0B6B74; border-color: #0B6B74; color: #FFFFFF; }
/* a row of five values (saline mL) fits the panel beside its scroll bar at 1280 px */
#sidePanel QPushButton[role="choice"] { padding: 2px 2px; }
/* a microneedling area's usual depths (ui/editor/mn_sheet.py): marked, still any may be chosen */
#sidePanel QPushButton[usual="true"] { background: #E3F2E5; border-color: #2E7D32; }
#sidePanel QPushButton[usual="true"]:checked { background: #0B6B74; border-color: #0B6B74; }
#sidePanel QPushButton[role="danger"] { color: #A1221A; border-color: #B3261E; }
#sidePanel QPushButton[role="ghost"] { background: transparent; }
#sidePanel QLabel { font-size: 13pt; color: #17212B; }
#sidePanel QLineEdit, #sidePanel QDateEdit {
    font-size: 14pt; background: #FFFFFF; border: 2px solid #9AA8B5; border-radius: 10px;
    padding: 4px 10px;
}
#sidePanel QDateEdit::drop-down { width: 52px; border-left: 2px solid #9AA8B5; }
#sidePanel QDateEdit::down-arrow {
    image: url(@ICONS@/chevron-down.svg); width: 22px; height: 22px;
}
QLabel#sheetTitle { font-size: 15pt; font-weight: 700; }
QLabel#sheetHeading { font-size: 13pt; font-weight: 700; color: #2B3A48; padding-top: 6px; }
QLabel#sheetHint { color: #4A5868; }
QLabel#totalSub { color: #4A5868; font-weight: 700; padding-top: 4px; }
QLabel#totalLine { padding-left: 8px; }
QLabel#unitsValue { font-size: 26pt; font-weight: 700; }
QLabel#volumeText { font-size: 13pt; color: #0B4F57; font-weight: 600; }
QLabel#warning {
    background: #FFF0C2; color: #3D2E00; border: 2px solid #E0B84A; border-radius: 10px;
    padding: 8px; font-weight: 600;
}
QFrame[card="true"] { background: #FFFFFF; border: 1px solid #CBD3DB; border-radius: 12px; }
#messageBar { background: #FFF0C2; border-bottom: 2px solid #E0B84A; }
#messageBar[kind="error"] { background: #FBE3E1; border-bottom: 2px solid #B3261E; }
#messageBar[kind="info"] { background: #DDEBF0; border-bottom: 2px solid #7FB3C0; }
#messageBar QLabel { font-size: 14pt; font-weight: 600; color: #17212B; }
#messageBar[note="true"] { border: 2px solid #7FB3C0; border-radius: 12px; }
#messageBar QPushButton, #editorHeader QPushButton {
    font-size: 14pt; font-weight: 600; border-radius: 10px; padding: 4px 18px;
    border: 2px solid #9AA8B5; background: #FFFFFF; color: #17212B;
}
#editorHeader QPushButton[role="primary"] {
    background: #0B6B74; border-color: #0B6B74; color: #FFFFFF;
}
#editorHeader QPushButton:disabled { color: #8794A0; border-color: #C9D1D8; background: #EEF1F4; }
#editorHeader { background: #E4ECF1; border-bottom: 1px solid #C5D1DA; }
#editorHeader QLabel#patientName { font-size: 20pt; font-weight: 700; color: #17212B; }
#editorHeader QLabel#patientDob { font-size: 16pt; font-weight: 600; color: #17212B; }
#editorHeader QLabel#status { font-size: 13pt; font-weight: 600; color: #4A5868; }
#editorHeader QLabel#status[dirty="true"] { color: #8A5A00; }
#editorHeader QLabel#status[readonly="true"] { color: #4D3900; background: #FFF0C2;
    border-radius: 8px; padding: 4px 10px; }
#editorHeader QLabel#signOffState { font-size: 12pt; font-weight: 600; color: #6B4E00; }
#editorHeader QLabel#signOffState[signed="true"] { color: #1F5E2A; }
"""


def editor_qss() -> str:
    """The style with the icons folder filled in (Qt wants a real path, as in ui/app.py)."""
    icons = Path(str(resources.files("resources").joinpath("icons"))).as_posix()
    return EDITOR_QSS.replace("@ICONS@", icons)
