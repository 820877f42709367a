"""Names: folding (case, diacritics, Azerbaijani letters) and transliteration variants.

`exact_key` folds what never distinguishes two names (case, diacritics, punctuation, spacing).
`variant_key` also folds the usual transliteration variants of Persian and Azerbaijani names
(Huseyn / Hossein, Maragha / Maragheh, Naqadeh / Naghadeh, Ibrahimzade / Ibrahimzadeh,
Keleybar / Kaleybar), and
`similarity` grades what remains (Urmia / Orumiyeh, Rzayi / Rizayi, Mohammadiya / Mahammadiyan).
"""

from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher
from functools import lru_cache

# Letters of the Azerbaijani and Turkish Latin alphabets (and look-alikes) that NFKD leaves whole.
_LETTERS = str.maketrans({
    "ə": "a", "ǝ": "a", "ı": "i", "ş": "sh", "ç": "ch", "ğ": "gh", "x": "kh", "ß": "ss",
    "ø": "o", "æ": "ae", "đ": "d", "ł": "l",
})
_APOSTROPHES = re.compile(r"[\u2019\u2018\u02bc\u02bb\u02be\u02bf'`´]")
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")

# Variant rules, applied in order to each folded token.
_VARIANT_RULES = (
    (re.compile(r"(?<=.)y"), "i"),      # Huseyn / Husein, Rzayi / Rzaii (not an initial Y: Yagub)
    (re.compile(r"ou|oo"), "u"),        # Hoosein
    (re.compile(r"ee"), "i"),
    (re.compile(r"gh|q"), "g"),         # Naqadeh / Naghadeh / Nagadeh
    (re.compile(r"w"), "v"),
    (re.compile(r"(?<=..)(eh|ah)$"), "a"),    # Maragheh / Maragha, Naqadeh
    (re.compile(r"o"), "u"),            # Hossein / Husein, Orumiyeh / Urumiyeh
    (re.compile(r"e"), "a"),            # Keleybar / Kaleybar, Ardebil / Ardabil, Xankəndi
    (re.compile(r"(.)\1+"), r"\1"),     # Hossein / Hosein, Mohammad / Mohamad
)


@lru_cache(maxsize=65536)
def exact_key(name: str) -> str:
    """Case, diacritics, apostrophes, punctuation and spacing folded: 'Xankəndi' -> 'khankandi'."""
    text = unicodedata.normalize("NFKC", name).lower().translate(_LETTERS)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    text = _APOSTROPHES.sub("", text)
    return _NOT_ALNUM.sub(" ", text).strip()


def is_latin(name: str) -> bool:
    """True if folding leaves letters to compare (names in other scripts fold to nothing)."""
    key = exact_key(name)
    return bool(key) and key.isascii()


@lru_cache(maxsize=65536)
def variant_key(name: str) -> str:
    """The exact key with transliteration variants folded: 'Hossein' and 'Huseyn' -> 'husein'."""
    return " ".join(_variant_token(t) for t in exact_key(name).split())


def _variant_token(token: str) -> str:
    for pattern, replacement in _VARIANT_RULES:
        token = pattern.sub(replacement, token)
    return token


def similarity(a: str, b: str) -> float:
    """1.0 for the same folded name, 0.97 for the same variant key, else a graded ratio of the
    variant keys (in either word order, since lists often put the surname first)."""
    if exact_key(a) == exact_key(b):
        return 1.0 if exact_key(a) else 0.0
    va, vb = variant_key(a), variant_key(b)
    if not va or not vb:
        return 0.0
    if va == vb or _sorted_words(va) == _sorted_words(vb):
        return 0.97
    ratio = max(_ratio(va, vb), _ratio(_sorted_words(va), _sorted_words(vb)))
    return round(min(ratio, 0.96), 4)


def best_similarity(names_a, names_b) -> tuple[float, str, str]:
    """The best similarity over all pairs, with the pair that gave it."""
    best = (0.0, "", "")
    for a in names_a:
        for b in names_b:
            score = similarity(a, b)
            if score > best[0]:
                best = (score, a, b)
    return best


def _sorted_words(key: str) -> str:
    return " ".join(sorted(key.split()))


def _ratio(a: str, b: str) -> float:
    return SequenceMatcher(None, a.replace(" ", ""), b.replace(" ", "")).ratio()


def blocking_key(name: str) -> str:
    """The first two letters of the variant key: names that may be variants of each other share
    it (Urmia / Orumiyeh: 'ur'), so a large gazetteer need not be compared name by name."""
    return variant_key(name).replace(" ", "")[:2]
