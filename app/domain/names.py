"""Folding names for search: accent- and case-insensitive ("zoe" finds Zoë, "oster" Øster)."""

from __future__ import annotations

import re
import unicodedata

# Letters that Unicode does not decompose into a base letter plus accent.
_SPECIAL = str.maketrans(
    {
        "ø": "o",
        "Ø": "o",
        "æ": "ae",
        "Æ": "ae",
        "œ": "oe",
        "Œ": "oe",
        "đ": "d",
        "Đ": "d",
        "ð": "d",
        "Ð": "d",
        "ł": "l",
        "Ł": "l",
        "þ": "th",
        "Þ": "th",
        "ı": "i",
        "ß": "ss",
        "ẞ": "ss",
    }
)
_WORD = re.compile(r"\w+")


def fold(text: str) -> str:
    """Lower-case, accents removed, special letters spelled out."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_SPECIAL))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def tokens(text: str) -> list[str]:
    """The folded words of a name ("Anne-Marie O'Brien" → anne, marie, o, brien)."""
    return _WORD.findall(fold(text))


def name_key(given: str, family: str) -> str:
    """One folded key for a whole name, for duplicate checks."""
    return " ".join(tokens(f"{given} {family}"))
