"""The tablet chart editor (issue #3). Entry point: `ui.editor.editor_window.ChartEditor`."""
