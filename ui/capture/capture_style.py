"""The capture screen's style sheet, set on the whole screen: the consent bar, the big shutter,
the protocol steps, the warning box and a slider thumb big enough for a finger."""

STYLE = """
#consentBar { background: #FFF0C2; border-bottom: 2px solid #E0B84A; }
#consentBar QLabel { color: #3D2E00; font-weight: 600; }
QPushButton#shutter {
    min-height: 120px; font-size: 22pt; font-weight: 700; border-radius: 60px;
    background: #B3261E; border: 4px solid #FFFFFF; color: #FFFFFF;
}
QPushButton#shutter:pressed { background: #7E1A15; }
QPushButton#shutter[waiting="true"] { background: #8C97A1; border-color: #C9D1D8; }
QPushButton[role="step"] { text-align: left; padding-left: 16px; }
QPushButton[role="step"]:checked { background: #0B6B74; border-color: #0B6B74; color: #FFFFFF; }
QPushButton[role="step"][done="true"] { border-color: #2E7D4F; }
QLabel#instruction { font-size: 24pt; font-weight: 700; color: #0B4F57; }
QLabel#captureWarnings {
    background: #FFF0C2; color: #3D2E00; border: 2px solid #E0B84A; border-radius: 10px;
    padding: 8px 14px; font-weight: 600;
}
QLabel#captureStatus[tone="error"] { color: #A1221A; font-weight: 700; }
QSlider::groove:horizontal { height: 10px; background: #C5D1DA; border-radius: 5px; }
QSlider::handle:horizontal {
    width: 44px; height: 44px; margin: -17px 0; border-radius: 22px; background: #0B6B74;
}
QSlider { min-height: 48px; }
QPushButton[role="toggle"], QPushButton#cameraButton { padding: 0 8px; }
"""
