"""Faults seen in real lists, applied to single values (used on small row sets only).

Every function takes the clean value and a numpy Generator and returns the faulty value; the
caller records the matching token in the truth ``noise`` column:

``nik_missing``, ``nik_placeholder``, ``nik_wrong_serial``, ``birthdate_mismatch`` (the row's
birth date disagrees with the NIK), ``nkk_missing``, ``name_variant`` (M./MOH./ST., dropped or
swapped word, old spelling, title), ``name_typo`` (one letter), ``name_alias`` (``ALS``),
``date_swapped`` (day and month of the birth date exchanged), ``place_variant``,
``desa_variant``, ``trailing_space``, ``date_serial`` (a date written as an Excel serial
number), ``date_alt_format`` (a date in another text format than the file's usual one),
``duplicate_row``, ``unusable``, ``late_report`` (sent a month after the event's month).
"""

from __future__ import annotations

import datetime as dt

import numpy as np

PLACEHOLDER_NIKS = ("3333333333333333", "1234567890123456", "9999999999999999", "1111111111111111")

ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "MUHAMMAD": ("MUHAMAD", "MOHAMMAD", "MOHAMAD", "M.", "MOH.", "MOCH.", "MUH.", "MOCHAMAD", "MUCHAMMAD", "MHD."),
    "MOHAMMAD": ("MUHAMMAD", "MOH.", "M."),
    "AHMAD": ("ACHMAD", "AKHMAD", "AHMAT"),
    "ABDUL": ("ABD.", "ABDOEL", "ABDUL"),
    "SITI": ("ST.", "SITTI", "SITI"),
    "NUR": ("NOER", "NURUL"),
    "NURUL": ("NUR", "NURUL"),
    "MUH.": ("MUHAMMAD", "MUHAMAD"),
    "ABD.": ("ABDUL",),
    "SYAIFUL": ("SAIFUL", "SYAIFUL"),
    "SAIFUL": ("SYAIFUL",),
    "RIZKI": ("RIZKY", "RISKI"),
    "RIZKY": ("RIZKI",),
    "FITRI": ("FITRIE",),
    "YUSUF": ("YUSUP",),
    "SOLEH": ("SALEH", "SHOLEH"),
    "TAUFIK": ("TAUFIQ",),
    "HIDAYAT": ("HIDAYATT",),
    "FAUZI": ("FAWZI",),
}
# Old (pre-1972) spelling still found in older people's documents.
OLD_SPELLING = (("U", "OE"), ("J", "DJ"), ("C", "TJ"), ("Y", "J"), ("KH", "CH"), ("SY", "SJ"))
KEYBOARD_NEIGHBOURS = {
    "A": "SQ", "B": "VN", "C": "XV", "D": "SF", "E": "WR", "F": "DG", "G": "FH", "H": "GJ", "I": "UO",
    "J": "HK", "K": "JL", "L": "K", "M": "N", "N": "BM", "O": "IP", "P": "O", "Q": "W", "R": "ET",
    "S": "AD", "T": "RY", "U": "YI", "V": "CB", "W": "QE", "X": "ZC", "Y": "TU", "Z": "X",
}
SOUND_ALIKE = {"I": "Y", "Y": "I", "F": "P", "P": "F", "V": "F", "Z": "J", "E": "I", "O": "U", "U": "O",
               "D": "T", "T": "D", "K": "Q", "Q": "K"}
ALIASES = ("BOGEL", "KRIBO", "BOTAK", "GEMBUL", "CEPOT", "UCIL", "BUDEK", "KUMIS", "ITEM", "JABRIK")


def pick(rng: np.random.Generator, seq):
    return seq[int(rng.integers(0, len(seq)))]


def name_typo(name: str, rng: np.random.Generator) -> str:
    """One letter substituted (keyboard or sound), dropped, doubled, or two letters swapped."""
    letters = [i for i, ch in enumerate(name) if ch.isalpha()]
    if len(letters) < 3:
        return name + name[-1:]
    for _ in range(8):
        i = letters[int(rng.integers(1, len(letters)))]
        ch = name[i]
        kind = int(rng.integers(0, 4))
        if kind == 0:
            rep = SOUND_ALIKE.get(ch) or pick(rng, KEYBOARD_NEIGHBOURS.get(ch, "A"))
            out = name[:i] + rep + name[i + 1:]
        elif kind == 1:
            out = name[:i] + name[i + 1:]
        elif kind == 2:
            out = name[:i] + ch + name[i:]
        else:
            j = i + 1 if i + 1 < len(name) and name[i + 1].isalpha() else i - 1
            a, b = sorted((i, j))
            out = name[:a] + name[b] + name[a] + name[b + 1:]
        out = " ".join(out.split())
        if out != name and out.strip():
            return out
    return name + "H"


def name_variant(name: str, rng: np.random.Generator) -> str:
    """A spelling the same person's name also has in some document."""
    words = name.split()
    for _ in range(10):
        kind = int(rng.integers(0, 7))
        w = list(words)
        if kind == 0:  # abbreviations and spelling families of common words
            idx = [i for i, x in enumerate(w) if x in ABBREVIATIONS]
            if not idx:
                continue
            i = pick(rng, idx)
            w[i] = pick(rng, ABBREVIATIONS[w[i]])
        elif kind == 1 and len(w) >= 2:  # dropped word (usually the last)
            i = len(w) - 1 if rng.random() < 0.7 else int(rng.integers(0, len(w)))
            if w[i] in ("I", "NI", "BR."):
                continue
            del w[i]
        elif kind == 2 and len(w) >= 2:  # swapped word order
            w[0], w[1] = w[1], w[0]
        elif kind == 3:  # old spelling
            a, b = OLD_SPELLING[int(rng.integers(0, len(OLD_SPELLING)))]
            i = int(rng.integers(0, len(w)))
            if a not in w[i]:
                continue
            w[i] = w[i].replace(a, b, 1)
        elif kind == 4:  # hajj title or its removal
            if w[0] in ("H.", "HJ."):
                del w[0]
            else:
                w.insert(0, "H." if rng.random() < 0.5 else "HJ.")
        elif kind == 5 and len(w) >= 2:  # second word as initial
            i = int(rng.integers(1, len(w)))
            if len(w[i]) < 3:
                continue
            w[i] = w[i][0] + "."
        elif kind == 6:  # words run together or split
            if len(w) >= 2 and rng.random() < 0.5:
                w = [w[0] + w[1]] + w[2:]
            else:
                i = int(rng.integers(0, len(w)))
                if len(w[i]) < 8 or not w[i].isalpha():
                    continue
                cut = len(w[i]) // 2
                w = w[:i] + [w[i][:cut], w[i][cut:]] + w[i + 1:]
        else:
            continue
        out = " ".join(w)
        if out and out != name:
            return out
    return name_typo(name, rng)


def name_alias(name: str, rng: np.random.Generator) -> str:
    return f"{name} ALS {pick(rng, ALIASES)}"


def nik_placeholder(nik: str, rng: np.random.Generator) -> str:
    if nik and rng.random() < 0.45:
        return nik[:12] + "0000"  # serial 0000
    if nik and rng.random() < 0.2:
        return nik[:6] + "0000000000"
    return pick(rng, PLACEHOLDER_NIKS)


def nik_wrong_serial(nik: str, rng: np.random.Generator) -> str:
    serial = nik[12:]
    for _ in range(10):
        if rng.random() < 0.5 and serial.isdigit():  # one digit off
            i = int(rng.integers(0, 4))
            new = serial[:i] + str(int(rng.integers(0, 10))) + serial[i + 1:]
        else:
            new = f"{int(rng.integers(1, 10000)):04d}"
        if new != serial and new != "0000":
            return nik[:12] + new
    return nik[:12] + ("0001" if serial != "0001" else "0002")


def wrong_birthdate(birth: dt.date, rng: np.random.Generator) -> dt.date:
    """A birth date as mistyped or guessed (1 July / 31 December placeholders)."""
    for _ in range(10):
        kind = int(rng.integers(0, 5))
        try:
            if kind == 0:
                out = birth + dt.timedelta(days=int(pick(rng, (-3, -2, -1, 1, 2, 3, 10, -10))))
            elif kind == 1:
                out = birth.replace(month=(birth.month % 12) + 1)
            elif kind == 2:
                out = birth.replace(year=birth.year + int(pick(rng, (-1, 1, -10, 10))))
            elif kind == 3:
                out = dt.date(birth.year, 7, 1)
            else:
                out = dt.date(birth.year, 12, 31) if rng.random() < 0.5 else dt.date(birth.year, 1, 1)
        except ValueError:
            continue
        if out != birth:
            return out
    return birth + dt.timedelta(days=1)


def swap_day_month(d: dt.date) -> dt.date | None:
    """The date with day and month exchanged, or None when that is not a different date."""
    if d.day > 12 or d.day == d.month:
        return None
    return dt.date(d.year, d.day, d.month)


def place_variant(place: str, rng: np.random.Generator, regency_name: str = "") -> str:
    """``KAB. BOGOR`` for the regency's own name, a typo, or another letter case."""
    kind = int(rng.integers(0, 4))
    if kind <= 1 and place == regency_name:
        return ("KAB. " if kind == 0 else "KABUPATEN ") + place
    if kind == 2 and len(place) > 4:
        return name_typo(place, rng)
    return place.title() if place.upper() == place else place.upper()


def desa_variant(desa: str, rng: np.random.Generator) -> str:
    kind = int(rng.integers(0, 5))
    if kind == 0:
        return "DESA " + desa
    if kind == 1:
        return "DS. " + desa
    if kind == 2:
        return "KEL. " + desa
    if kind == 3 and " " in desa:
        return desa.replace(" ", "")
    return name_typo(desa, rng) if len(desa) > 4 else "DESA " + desa


def trailing_space(value: str, rng: np.random.Generator) -> str:
    if " " in value and rng.random() < 0.3:
        return value.replace(" ", "  ", 1)
    return value + (" " if rng.random() < 0.7 else "  ")


EXCEL_EPOCH = dt.date(1899, 12, 30)


def excel_serial(d: dt.date) -> int:
    return (d - EXCEL_EPOCH).days
