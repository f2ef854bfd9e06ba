"""The portable archive (issue #12, ADR 0023): every record as documented JSON plus the photo
originals, in an encrypted ZIP, out of one database and into another."""
