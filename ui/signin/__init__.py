"""Signing in, the lock screen, the idle lock and the practitioners' admin page (issue #11)."""
