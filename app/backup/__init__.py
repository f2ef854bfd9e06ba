"""Backups (issue #12): a consistent copy of the SQLite database taken while the app runs,
encrypted under the clinic's passphrase, verified after writing, kept by rotation."""
