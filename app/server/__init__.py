"""The clinic server (issue #13): setting up a PostgreSQL database for several rooms."""
