"""Reports (issue #12): a visit's chart as a PDF, drawn without a display (reportlab), so the
`report` command needs no QApplication and the same code runs in the app."""
