"""Secrets and signatures (issue #11): Argon2id hashes of PINs and passwords, practitioners'
Ed25519 signing keys sealed under their password. No display, no database."""
