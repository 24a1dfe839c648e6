"""Named noise profiles (``SynthConfig.profile``): how dirty the regency's files are, as data.

``typical`` is the generator as it always was: its agency rates are the ``agency_*`` shares of
:class:`SynthConfig` times each agency's multipliers in ``agencies.AGENCIES`` (byte for byte the
same files for the same config and seed). ``clean`` and ``hard`` give every rate per agency in
the tables below. The fault model is written from what real agency files look like, not from
the linker: nothing here is read from ``pdpb_pipeline.linkage``.

Where each fault comes from in real files (the truth ``noise`` token in brackets):

NIK
- [nik_missing] the cell is empty: village lists (DPMD) and housing lists are typed from paper
  forms where the NIK is often left out; prisons (Lapas) receive detainees without an e-KTP;
  migrant-worker lists (BP2MI) key on the passport number. The civil registry (SIAK export)
  almost never lacks it.
- [nik_placeholder] 3333333333333333, 1234567890123456, the region + serial 0000 or region +
  zeros: a value typed to get past a mandatory field.
- [nik_wrong_serial] the last four digits mistyped.
- [nik_digit_typo] one digit typed wrong, any position; [nik_transposed] two adjacent digits
  exchanged (typing from a photocopied KTP).
- [nik_household] the row carries the NIK of another member of the person's own KK (mostly the
  head of the family, also spouse, parent or sibling): the officer copied the KK's first line or
  the wrong line; name and birth date stay the person's own.
- [nik_excel_truncated] the file went through a spreadsheet that stored the NIK as a number:
  15 significant digits survive, the 16th becomes 0 (``3201012345678900``), written as digits.
- [nik_excel_scientific] the same column exported while displayed in the General format:
  ``3.20101E+15`` (``3,20101E+15`` in an Indonesian-locale export, the ``;``-separated files).

Birth date
- [birthdate_mismatch] (typical only) the old single fault: a date off by days, a month, a year.
- [birthdate_digit_typo] one digit of the written date typed wrong (day, month or year).
- [birthdate_year_off] the year one or two off (age computed back from a stated age).
- [date_swapped] day and month exchanged (DD/MM read as MM/DD).
- [birthdate_placeholder] a guessed date where the true one was unknown; each office has its own
  habit (1 January, 1 July, 31 December, the 15th of the month): ``PLACEHOLDER_DATES`` below.
- [birthdate_blank] no date at all.

Name
- [name_variant] (typical) the old variant list in ``noise.py``.
- [name_spelling] the generator's own spelling model (``faults.SPELLINGS`` and rules: Dutch-era
  oe/dj/tj/sj/ch, vowel shifts e/i o/u, y/i, doubled or single letters, dropped h, words run
  together or split, initials).
- [name_title] a title or honorific written on the name (H., HJ., DR., IR., DRS., RADEN, R.A.,
  ANDI, TENGKU, TEUKU, CUT, DAENG, IDA BAGUS, ..., or ``, S.PD.`` / ``, S.H., M.M.`` after it);
  the same person has it in one file and not in another.
- [name_typo] one letter; [name_alias] ``ALS`` nickname (prisons).

Place
- [moved_desa] the person moved without telling the civil registry: the agency row has the new
  desa and address, the roll still the old one.
- [place_variant], [desa_variant], [trailing_space], [duplicate_row], [unusable] as in typical.

Population (not row faults; the rows of such persons carry the token so errors can be broken
down): [twin] twins, including opposite-sex twins (same birth date; a woman's NIK day is +40),
[namesake] a different person with the same name in the same desa (some born the same year).
"""

from __future__ import annotations

import dataclasses

PROFILE_NAMES = ("clean", "typical", "hard")

# Every per-row rate a profile table gives (typical: from SynthConfig, the new ones 0).
ROW_FAULTS = (
    "nik_missing", "nik_placeholder", "nik_wrong_serial", "nik_household", "nik_digit_typo",
    "nik_transposed", "nik_excel_truncated", "nik_excel_scientific", "nkk_missing",
    "name_variant", "name_spelling", "name_title", "name_typo", "name_alias",
    "birthdate_mismatch", "birthdate_digit_typo", "birthdate_year_off", "date_swapped",
    "birthdate_placeholder", "birthdate_blank",
    "place_variant", "desa_variant", "moved_desa", "trailing_space", "duplicate_row", "unusable",
)
NEW_FAULTS = ("nik_household", "nik_digit_typo", "nik_transposed", "nik_excel_truncated",
              "nik_excel_scientific", "name_spelling", "name_title", "birthdate_digit_typo",
              "birthdate_year_off", "birthdate_placeholder", "birthdate_blank", "moved_desa")

_CLEAN_ALL = dict.fromkeys(ROW_FAULTS, 0.0) | {
    "nik_missing": 0.001, "nkk_missing": 0.002, "trailing_space": 0.002, "name_typo": 0.001,
}

_HARD_ALL = {
    "nik_missing": 0.03, "nik_placeholder": 0.02, "nik_wrong_serial": 0.01, "nik_household": 0.03,
    "nik_digit_typo": 0.02, "nik_transposed": 0.01, "nik_excel_truncated": 0.03,
    "nik_excel_scientific": 0.02, "nkk_missing": 0.08,
    "name_variant": 0.02, "name_spelling": 0.10, "name_title": 0.08, "name_typo": 0.04, "name_alias": 0.0,
    "birthdate_mismatch": 0.0, "birthdate_digit_typo": 0.02, "birthdate_year_off": 0.015,
    "date_swapped": 0.02, "birthdate_placeholder": 0.02, "birthdate_blank": 0.02,
    "place_variant": 0.05, "desa_variant": 0.06, "moved_desa": 0.03, "trailing_space": 0.05,
    "duplicate_row": 0.02, "unusable": 0.008,
}

# Per agency: rates that differ from the profile's row above.
PROFILES: dict[str, dict] = {
    "typical": {
        "rates": {},  # SynthConfig agency_* x AGENCIES noise multipliers
        "config": {},
        "population": {},
    },
    "clean": {
        "rates": {"*": _CLEAN_ALL, "lapas": {"nik_missing": 0.02}, "bp2mi": {"nik_missing": 0.005}},
        # The roll is clean too (ganda and stale rows are what the roll is, kept but fewer).
        "config": {
            "ganda_share": 0.001, "baseline_nik_placeholder": 0.0, "baseline_nik_wrong_serial": 0.0,
            "baseline_birthdate_mismatch": 0.0, "baseline_nik_missing": 0.0, "baseline_name_typo": 0.0,
            "excel_serial_share": 0.0, "lapas_nik_missing": 0.02,
        },
        "population": {},
    },
    "hard": {
        "rates": {
            "*": _HARD_ALL,
            # SIAK export: the NIK is the key of the system, never missing, never through Excel.
            "disdukcapil": {"nik_missing": 0.002, "nik_placeholder": 0.002, "nik_household": 0.005,
                            "nik_excel_truncated": 0.0, "nik_excel_scientific": 0.0,
                            "name_title": 0.02, "moved_desa": 0.0, "birthdate_blank": 0.002,
                            "birthdate_placeholder": 0.01, "nkk_missing": 0.005},
            # Village lists typed from paper in the desa office: the dirtiest.
            "dpmd": {"nik_missing": 0.25, "nik_household": 0.08, "nik_excel_truncated": 0.06,
                     "nik_excel_scientific": 0.05, "name_title": 0.12, "birthdate_placeholder": 0.04,
                     "birthdate_blank": 0.05, "moved_desa": 0.05},
            "perumahan": {"nik_missing": 0.18, "nik_household": 0.10, "nik_excel_truncated": 0.06,
                          "nik_excel_scientific": 0.03, "nkk_missing": 0.2, "moved_desa": 0.0},
            "lapas": {"nik_missing": 0.35, "nik_household": 0.05, "name_alias": 0.08,
                      "birthdate_year_off": 0.04, "birthdate_placeholder": 0.05, "birthdate_blank": 0.04,
                      "moved_desa": 0.08},
            "bp2mi": {"nik_missing": 0.20, "nik_household": 0.06, "nik_excel_scientific": 0.05,
                      "moved_desa": 0.05},
            "tni_polri": {"nik_missing": 0.05, "name_title": 0.05},
            "kua": {"nik_missing": 0.04, "nik_household": 0.05, "nik_excel_truncated": 0.05,
                    "birthdate_year_off": 0.03},
        },
        "config": {
            "twin_share": 0.06, "ganda_share": 0.01, "baseline_nik_placeholder": 0.004,
            "baseline_nik_wrong_serial": 0.004, "baseline_birthdate_mismatch": 0.006,
            "baseline_nik_missing": 0.003, "baseline_name_typo": 0.005, "baseline_birthdate_blank": 0.005,
            "lapas_nik_missing": 0.35, "excel_serial_share": 0.2,
        },
        "population": {
            "namesake_share": 0.03,  # persons renamed after another person of their desa and sex
            "namesake_same_year": 0.4,  # of those, the other person born the same year
            # A diverse regency (a city of migrants): every regional naming style occurs.
            "style_mix": {"jawa": .22, "sunda": .14, "betawi": .04, "madura": .04, "melayu": .06,
                          "minang": .05, "bugis": .05, "sasak": .02, "batak": .07, "timur": .04,
                          "tionghoa": .03, "bali": .03, "bali_kasta": .02, "arab": .04,
                          "tionghoa_lama": .02, "papua": .04, "maluku_ntt": .04, "buton": .03,
                          "aceh": .02},
        },
    },
}

# Reports that are themselves a move: their new address is the event, not a [moved_desa] fault.
MOVE_EVENTS = frozenset({"pindah_keluar", "pindah_masuk", "pindah_dalam", "penghuni_baru"})

# Guessed birth dates, by agency: (month or None = the true month, day). The civil registry's
# offices write 1 July or 31 December, village offices 1 January, prisons the 15th.
PLACEHOLDER_DATES: dict[str, tuple[tuple[int | None, int], ...]] = {
    "disdukcapil": ((7, 1), (12, 31)),
    "dpmd": ((1, 1), (1, 1), (None, 1)),
    "perumahan": ((1, 1), (None, 15)),
    "lapas": ((None, 15), (1, 1), (12, 31)),
    "bp2mi": ((1, 1), (7, 1)),
    "tni_polri": ((12, 31),),
    "kua": ((1, 1), (None, 1)),
}


def check(profile: str) -> str:
    if profile not in PROFILES:
        raise ValueError(f"profile must be one of {', '.join(PROFILE_NAMES)}, got {profile!r}")
    return profile


def agency_rates(profile: str, agency: str) -> dict[str, float] | None:
    """The per-row rates of ``agency`` in ``profile``; None for typical (SynthConfig decides)."""
    spec = PROFILES[check(profile)]["rates"]
    if not spec:
        return None
    out = dict.fromkeys(ROW_FAULTS, 0.0) | spec["*"] | spec.get(agency, {})
    return out


def population(profile: str) -> dict:
    return PROFILES[check(profile)]["population"]


def effective_config(cfg):
    """``cfg`` with the profile's config values for every field the caller left at its default."""
    over = PROFILES[check(cfg.profile)]["config"]
    if not over:
        return cfg
    defaults = {f.name: f.default for f in dataclasses.fields(cfg)}
    changes = {k: v for k, v in over.items() if getattr(cfg, k) == defaults[k]}
    return dataclasses.replace(cfg, **changes)
