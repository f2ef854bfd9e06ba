"""Folding names for search: accent-, case- and punctuation-insensitive ("zoe" finds Zoë,
"oster" Øster, "obrien" O'Brien, "annemarie" Anne-Marie)."""

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
_APOSTROPHES = str.maketrans("", "", "'’‘`ʼ")
# A name's written run of letters with its inner punctuation: O'Brien, Anne-Marie, St.John.
_JOINED = re.compile(r"\w+(?:[-'’‘`ʼ.]+\w+)+")


def fold(text: str) -> str:
    """Lower-case, accents removed, special letters spelled out."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_SPECIAL))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def tokens(text: str) -> list[str]:
    """The folded words of a name ("Anne-Marie O'Brien" → anne, marie, o, brien)."""
    return _WORD.findall(fold(text))


def query_words(text: str) -> list[str]:
    """The words a search looks for: an apostrophe joins ("o'brien" → obrien), any other mark
    separates ("anne-marie" → anne, marie)."""
    return _WORD.findall(fold(text).translate(_APOSTROPHES))


def search_keys(text: str) -> set[str]:
    """The whole-word keys a name is found by: each word, and each run of words joined by
    inner punctuation written as one (O'Brien → o, brien, obrien; Anne-Marie → anne, marie,
    annemarie), so a search typed with or without the marks finds it."""
    folded = fold(text)
    joined = {"".join(_WORD.findall(run)) for run in _JOINED.findall(folded)}
    return set(_WORD.findall(folded)) | joined


def name_key(given: str, family: str) -> str:
    """One folded key for a whole name, for duplicate checks."""
    return " ".join(tokens(f"{given} {family}"))
