"""Guided capture: the capture screen, its camera sources and the import dialog."""
