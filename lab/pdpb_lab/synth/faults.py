"""The fault model of the ``clean`` and ``hard`` profiles, applied to single values.

Written from what agency files look like (``profiles.py`` says where each fault comes from),
independently of the linker: the spelling table below is the generator's own and deliberately
holds forms a normaliser would not know. ``typical`` never calls this module (its faults are in
``noise.py``), so typical files stay as they were.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from .profiles import PLACEHOLDER_DATES


def pick(rng: np.random.Generator, seq):
    return seq[int(rng.integers(0, len(seq)))]


# ---------------------------------------------------------------------------------------------
# NIK
# ---------------------------------------------------------------------------------------------
def nik_digit_typo(nik: str, rng: np.random.Generator) -> str:
    """One digit typed wrong, at any position."""
    i = int(rng.integers(0, len(nik)))
    d = (int(nik[i]) + int(rng.integers(1, 10))) % 10
    return nik[:i] + str(d) + nik[i + 1:]


def nik_transposed(nik: str, rng: np.random.Generator) -> str:
    """Two adjacent (different) digits exchanged."""
    spots = [i for i in range(len(nik) - 1) if nik[i] != nik[i + 1]]
    if not spots:
        return nik_digit_typo(nik, rng)
    i = pick(rng, spots)
    return nik[:i] + nik[i + 1] + nik[i] + nik[i + 2:]


def excel_truncated(nik: str) -> str:
    """What a spreadsheet keeps of a 16-digit number: 15 significant digits, the 16th 0."""
    return nik[:15] + "0"


def excel_scientific(nik: str, comma: bool) -> str:
    """The General-format display of the number, as exported: ``3.20101E+15``."""
    mantissa, exponent = f"{int(nik):.5E}".split("E")
    text = f"{mantissa.rstrip('0').rstrip('.')}E{exponent}"
    return text.replace(".", ",") if comma else text


class Households:
    """Members of each KK, to give a row another member's NIK."""

    def __init__(self, hh: np.ndarray, role: np.ndarray, nik: np.ndarray):
        self.order = np.argsort(hh, kind="stable")
        sorted_hh = hh[self.order]
        self.start = np.searchsorted(sorted_hh, hh, side="left")
        self.end = np.searchsorted(sorted_hh, hh, side="right")
        self.role = role
        self.nik = nik

    def other_member_nik(self, person: int, rng: np.random.Generator) -> int | None:
        """Head of the family most often, else spouse, parent or sibling; None if alone."""
        members = self.order[self.start[person]:self.end[person]]
        members = members[(members != person) & (self.nik[members] != self.nik[person])]
        if not len(members):
            return None
        heads = members[self.role[members] == 0]
        if len(heads) and rng.random() < 0.6:
            return int(self.nik[heads[0]])
        return int(self.nik[pick(rng, members)])


# ---------------------------------------------------------------------------------------------
# Birth dates
# ---------------------------------------------------------------------------------------------
def birthdate_digit_typo(d: dt.date, rng: np.random.Generator) -> dt.date | None:
    """One digit of DD-MM-YYYY typed wrong; None when no valid different date came out."""
    text = d.strftime("%d%m%Y")
    for _ in range(12):
        i = int(rng.integers(0, 8))
        if i == 4:  # the millennium digit is never mistyped
            continue
        t = text[:i] + str((int(text[i]) + int(rng.integers(1, 10))) % 10) + text[i + 1:]
        try:
            out = dt.date(int(t[4:]), int(t[2:4]), int(t[:2]))
        except ValueError:
            continue
        if 1900 < out.year < 2030 and out != d:
            return out
    return None


def birthdate_year_off(d: dt.date, rng: np.random.Generator) -> dt.date:
    y = d.year + int(pick(rng, (-2, -1, -1, 1, 1, 2)))
    return dt.date(y, d.month, min(d.day, 28) if d.month == 2 else d.day)


def swap_day_month(d: dt.date) -> dt.date | None:
    if d.day > 12 or d.day == d.month:
        return None
    return dt.date(d.year, d.day, d.month)


def birthdate_placeholder(d: dt.date, agency: str, rng: np.random.Generator) -> dt.date | None:
    """The office's guessed date for the person's year (None if it is the true date)."""
    month, day = pick(rng, PLACEHOLDER_DATES.get(agency, ((1, 1),)))
    out = dt.date(d.year, month or d.month, day)
    return None if out == d else out


# ---------------------------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------------------------
# Spellings of whole words seen on KTP, KK, ijazah and hand-typed lists (the generator's own
# list, from usage; a few entries are abbreviations a clerk invents on a narrow form).
SPELLINGS: dict[str, tuple[str, ...]] = {
    "MUHAMMAD": ("MUHAMAD", "MUHAMMED", "MOHAMMAD", "MOHAMAD", "MOHAMMED", "MOCHAMMAD", "MOCHAMAD",
                 "MOEHAMMAD", "MUCHAMAD", "MUHAMAT", "MUHD", "MUHD.", "MOHD", "MOHD.", "MHD", "MD.",
                 "MUH", "MOH", "MOCH", "M", "M.", "MHMD"),
    "AHMAD": ("ACHMAD", "AKHMAD", "AHMED", "AHMAT", "ACHMAT", "AHMD", "AHM.", "ACH.", "A."),
    "ABDUL": ("ABD", "ABD.", "ABDOEL", "ABDOL", "ABDU", "ABDL", "AB."),
    "ABDULLAH": ("ABDULAH", "ABDOELLAH", "ABDILLAH", "ABD. ULLAH"),
    "SITI": ("SITTI", "SITI.", "ST", "ST.", "SETI", "S."),
    "NUR": ("NOER", "NOOR", "NUUR", "N."),
    "NURUL": ("NOERUL", "NURUL.", "NUR UL"),
    "SYARIFAH": ("SARIFAH", "SYARIPAH", "SJARIFAH", "SY."),
    "SAYYID": ("SAYID", "SAID", "SAYED", "SJ."),
    "FATIMAH": ("FATIMA", "FATHIMAH", "FATMAH", "PATIMAH"),
    "AISYAH": ("AISAH", "AISYA", "AISJAH", "AYSAH", "AISIAH"),
    "KHADIJAH": ("KHODIJAH", "KADIJAH", "CHADIDJAH", "HADIJAH"),
    "YUSUF": ("YUSUP", "JUSUF", "YOESOEF", "JOESOEP"),
    "YOHANES": ("JOHANES", "YOHANIS", "JOHANNES", "YOH."),
    "YOSEF": ("YOSEP", "JOSEF", "JOSEPH", "YUSUF"),
    "HENDRA": ("HENDRAH", "HENDERA"),
    "AGUS": ("AGOES", "AGUSS"),
    "SLAMET": ("SELAMET", "SLAMAT", "SLAMED"),
    "SUPARMAN": ("SOEPARMAN", "SUPARMANN"),
    "WAHYU": ("WAHJU", "WAHYOE", "WAYU"),
    "RAHMAT": ("RACHMAT", "RAHMAD", "RAMAT", "ROHMAT"),
    "RIZKI": ("RIZKY", "RISKI", "RIZQI", "RISKY", "RIZKIE"),
    "ZAINAL": ("ZAENAL", "ZAINAL.", "JAENAL"),
    "ZAINUDDIN": ("ZAINUDIN", "ZAENUDIN", "JAENUDIN"),
    "SYAMSUL": ("SAMSUL", "SJAMSUL", "SYAMSOEL"),
    "SAIFUL": ("SAIPUL", "SYAIFUL", "SAEPUL"),
    "FAJAR": ("PAJAR", "FADJAR"),
    "EUIS": ("EUIES", "EWIS"),
    "DEWI": ("DEWIE", "DEWY"),
    "PUTRI": ("PUTERI", "PUTRIE", "POETRI"),
    "PUTU": ("PUTUH", "POETOE"),
    "KETUT": ("KTUT", "KETOET"),
    "NYOMAN": ("NJOMAN", "NYM."),
    "WAYAN": ("WYN.", "WAJAN"),
    "GUSTI": ("GST.", "GST"),
    "ANAK": ("A.",),
    "AGUNG": ("AGG.", "AG."),
    "BAGUS": ("BGS.",),
    "BR.": ("BORU", "BR", "BOERU"),
    "ANDI": ("A.", "ANDY"),
    "LA": ("LA.",),
    "WA": ("WA.",),
}
# Letter rules: old spelling (before 1972) both ways, vowel shifts, y/i, h dropped after a
# consonant, doubled letters.
OLD_NEW = (("OE", "U"), ("DJ", "J"), ("TJ", "C"), ("SJ", "SY"), ("CH", "KH"), ("J", "Y"), ("NJ", "NY"))
VOWEL_SHIFTS = (("E", "I"), ("I", "E"), ("O", "U"), ("U", "O"), ("Y", "I"), ("I", "Y"), ("AI", "AE"),
                ("AU", "O"))
DROPPED_H = ("KH", "SH", "DH", "TH", "GH", "CH", "AH", "IH", "UH")


def _word_rule(w: str, rng: np.random.Generator) -> str:
    kind = int(rng.integers(0, 5))
    if kind == 0:  # old spelling, either direction
        new, old = pick(rng, OLD_NEW)
        a, b = (old, new) if rng.random() < 0.5 else (new, old)
        return w.replace(b, a, 1) if b in w else w
    if kind == 1:
        a, b = pick(rng, VOWEL_SHIFTS)
        idx = [i for i in range(1, len(w)) if w.startswith(a, i)]
        if not idx:
            return w
        i = pick(rng, idx)
        return w[:i] + b + w[i + len(a):]
    if kind == 2:  # a dropped h
        for pair in DROPPED_H:
            if pair in w[1:]:
                i = w.index(pair, 1)
                return w[:i + 1] + w[i + 2:] if pair.endswith("H") else w
        return w
    if kind == 3:  # doubled letter, or a double one made single
        for i in range(1, len(w)):
            if w[i] == w[i - 1]:
                return w[:i] + w[i + 1:]
        cons = [i for i in range(1, len(w) - 1) if w[i] in "LMNRST"]
        if cons:
            i = pick(rng, cons)
            return w[:i] + w[i] + w[i:]
        return w
    # trailing E / H added or removed (DEWI/DEWIE, FATIMAH/FATIMA)
    if w.endswith(("IE", "AH")):
        return w[:-1]
    return w + ("E" if w.endswith("I") else "H" if w.endswith("A") else "")


def name_spelling(name: str, rng: np.random.Generator) -> str:
    """Another way the same name is written: table spelling, letter rule, words run together
    or split, a middle word as an initial."""
    words = name.split()
    if not words:
        return name
    for _ in range(10):
        w = list(words)
        kind = int(rng.integers(0, 6))
        if kind <= 1:
            idx = [i for i, x in enumerate(w) if x in SPELLINGS]
            if not idx:
                kind = 2
            else:
                i = pick(rng, idx)
                w[i] = pick(rng, SPELLINGS[w[i]])
        if kind in (2, 3):
            i = int(rng.integers(0, len(w)))
            if len(w[i]) >= 4 and w[i].isalpha():
                w[i] = _word_rule(w[i], rng)
        elif kind == 4 and len(w) >= 2:
            i = int(rng.integers(0, len(w) - 1))
            if rng.random() < 0.6:
                w = w[:i] + [w[i] + w[i + 1]] + w[i + 2:]  # run together: NURHASANAH
            else:
                j = int(rng.integers(0, len(w)))
                if len(w[j]) >= 7 and w[j].isalpha():
                    cut = int(rng.integers(3, len(w[j]) - 2))
                    w = w[:j] + [w[j][:cut], w[j][cut:]] + w[j + 1:]
        elif kind == 5 and len(w) >= 3:
            i = int(rng.integers(1, len(w) - 1))
            w[i] = w[i][0] + ("." if rng.random() < 0.7 else "")
        out = " ".join(x for x in w if x)
        if out and out != name:
            return out
    return name + ("H" if not name.endswith("H") else "")


# Titles: (text, where, who). where: "pre" before the name, "post" after it (academic degrees,
# written ", S.PD." or " S.PD" or ",S.PD."). who: "m", "f" or "*".
TITLES_COMMON = (
    ("H.", "pre", "m"), ("HJ.", "pre", "f"), ("HAJI", "pre", "m"), ("HAJJAH", "pre", "f"),
    ("DR.", "pre", "*"), ("IR.", "pre", "*"), ("DRS.", "pre", "m"), ("DRA.", "pre", "f"),
    ("KH.", "pre", "m"), ("USTADZ", "pre", "m"), ("PROF.", "pre", "*"), ("DR. H.", "pre", "m"),
    ("S.PD.", "post", "*"), ("S.H.", "post", "*"), ("M.M.", "post", "*"), ("S.E.", "post", "*"),
    ("S.KOM.", "post", "*"), ("S.T.", "post", "*"), ("S.AG.", "post", "*"), ("S.SOS.", "post", "*"),
    ("S.H., M.M.", "post", "*"), ("S.PD., M.PD.", "post", "*"), ("A.MD.", "post", "*"),
    ("S.KEP., NS.", "post", "*"), ("AMK.", "post", "*"), ("S.IP.", "post", "*"), ("S.PD.I.", "post", "*"),
)
# Gelar adat by naming style (names.STYLE_NAMES).
TITLES_ADAT: dict[str, tuple[tuple[str, str, str], ...]] = {
    "jawa": (("RADEN", "pre", "m"), ("R.", "pre", "m"), ("R.A.", "pre", "f"), ("RADEN AYU", "pre", "f"),
             ("R.NGT.", "pre", "f"), ("KRT.", "pre", "m")),
    "sunda": (("RADEN", "pre", "m"), ("R.", "pre", "*"), ("NYI R.", "pre", "f")),
    "bugis": (("ANDI", "pre", "*"), ("A.", "pre", "*"), ("DAENG", "pre", "*"), ("PUANG", "pre", "*")),
    "melayu": (("TENGKU", "pre", "*"), ("T.", "pre", "*"), ("DATUK", "pre", "m"), ("WAN", "pre", "*"),
               ("ENCIK", "pre", "*")),
    "aceh": (("TEUKU", "pre", "m"), ("T.", "pre", "m"), ("CUT", "pre", "f"), ("TGK.", "pre", "m")),
    "minang": (("DATUK", "pre", "m"), ("DT.", "pre", "m"), ("SUTAN", "pre", "m")),
    "bali": (("IDA BAGUS", "pre", "m"), ("IDA AYU", "pre", "f"), ("I GUSTI", "pre", "m"),
             ("ANAK AGUNG", "pre", "*"), ("GUSTI AYU", "pre", "f")),
    "arab": (("HABIB", "pre", "m"), ("SAYYID", "pre", "m"), ("SYARIFAH", "pre", "f")),
    "sasak": (("LALU", "pre", "m"), ("BAIQ", "pre", "f")),
    "buton": (("LA ODE", "pre", "m"), ("WA ODE", "pre", "f")),
}


def person_title(style: str, female: bool, key: int) -> tuple[str, str]:
    """The one title a person has (same person, same title in every file)."""
    r = np.random.default_rng([0x717E, int(key)])
    sex = "f" if female else "m"
    pool = TITLES_COMMON
    if style in TITLES_ADAT and r.random() < 0.5:
        pool = TITLES_ADAT[style]
    fits = [t for t in pool if t[2] in ("*", sex)] or [t for t in TITLES_COMMON if t[2] in ("*", sex)]
    text, where, _ = fits[int(r.integers(0, len(fits)))]
    return text, where


def with_title(name: str, title: str, where: str, rng: np.random.Generator) -> str:
    if where == "pre":
        if name.startswith(title + " "):
            return name
        return f"{title} {name}"
    sep = pick(rng, (", ", ", ", " ", ","))
    t = title if sep != " " else title.rstrip(".")
    return f"{name}{sep}{t}"
