"""Configuration of the synthetic regency: size, period, and every rate and noise share.

Defaults are realistic for a Javanese regency in a normal month (domain.md): roughly 0.3-0.5%
of the roll added and 0.2-0.3% removed a month. Rates named ``*_monthly`` are probabilities per
person (or household) per month; shares named ``baseline_*`` apply to DPT rows, ``agency_*`` to
agency file rows.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


#: Options left out of meta.json when 0 (they came after the fingerprinted typical files).
PMI_OPTIONAL = ("pmi_departed_return_monthly", "pmi_return_moved_share", "pmi_misuse_monthly")


@dataclass
class SynthConfig:
    regency: str = "32.01"  # Kemendagri regency code, dotted (3201 is accepted too)
    voters: int = 50_000  # target size of the baseline DPT (rows, ganda and stale included)
    months: int = 3  # number of monthly landing partitions generated after the baseline
    start: str = "2026-01"  # first month (YYYY-MM); the baseline is the roll at the day before
    seed: int = 7
    # Named noise profile (``profiles.py``): clean, typical (the files as they always were), hard.
    profile: str = "typical"

    # --- population ----------------------------------------------------------------------
    tni_polri_share: float = 0.005  # active TNI/Polri members among men 20-55 (not voters)
    tni_share_of_members: float = 0.65  # TNI vs Polri among members
    abroad_share: float = 0.004  # adults 20-45 working abroad (PMI) at baseline: on DPT LN, not here
    inmate_share: float = 0.0008  # residents in prison at baseline (still voters, TPS khusus)
    inmate_outsider_share: float = 0.3  # share of inmates whose domicile is another regency
    twin_share: float = 0.012  # share of sibling pairs who are twins (same birth date)
    nik_other_kecamatan: float = 0.08  # NIK first issued in another kecamatan of the regency
    nik_other_regency: float = 0.07  # NIK first issued in another regency (moved here long ago)
    nik_old_code: float = 0.01  # NIK with a kecamatan code that no longer exists (split/renamed)
    nik_date_differs: float = 0.003  # person whose true NIK encodes another birth date than true
    housing_estate_share: float = 0.10  # baseline households living in a perumahan / rusun

    # --- baseline DPT faults ----------------------------------------------------------------
    ganda_share: float = 0.005  # duplicate rows (SIDALIH classes), share of DPT rows
    ganda_class_weights: tuple[float, float, float] = (0.4, 0.3, 0.3)  # identik_kecuali_alamat, nik_sama_nama_beda, mirip
    stale_dead_share: float = 0.003  # listed although died before baseline
    stale_moved_share: float = 0.003  # listed although moved away before baseline
    baseline_nik_placeholder: float = 0.002  # 3333333333333333, serial 0000, ...
    baseline_nik_wrong_serial: float = 0.002  # last 4 digits mistyped
    baseline_birthdate_mismatch: float = 0.003  # tanggal_lahir disagrees with the NIK
    baseline_nik_missing: float = 0.001  # empty NIK
    baseline_name_typo: float = 0.002  # one-letter typo in nama
    # How the DPT file writes birth dates (the truth keeps the true dates): a blank date, or the
    # Indonesian DD-MM-YYYY instead of ISO. 0 leaves the file as before, byte for byte.
    baseline_birthdate_blank: float = 0.0
    baseline_birthdate_dmy: float = 0.0

    # --- monthly events ---------------------------------------------------------------------
    death_rate_annual: float = 0.0063  # crude death rate of the whole population (age-dependent)
    move_out_monthly: float = 0.001  # persons moving out of the regency, per person per month
    move_in_monthly: float = 0.001  # persons moving in, relative to the population
    move_within_monthly: float = 0.0015  # persons moving address inside the regency
    household_move_share: float = 0.6  # moves made by whole households (rest: single adults)
    move_to_housing_share: float = 0.3  # moves (in / within) into new housing (perumahan, rusun)
    kawin_under17_monthly: float = 0.0006  # girls 15-16 marrying per month (boys: a fifth)
    correction_monthly: float = 0.0004  # identity corrections (name, birth date, status) per voter
    enlist_monthly: float = 0.0006  # men 18-22 enlisting in TNI/Polri per month
    retire_age: int = 58  # members retire in the month of this birthday
    pmi_leave_monthly: float = 0.0003  # adults 20-40 leaving as migrant workers
    pmi_return_monthly: float = 0.04  # of those abroad at baseline, returning per month
    # Workers who left during the months (own random stream; 0 by default, so a typical regency's
    # files stay byte for byte what they were): returning per month; of those, the share whose
    # KTP/KK names another desa than the roll (the family moved while they were away); and the
    # chance per month that a worker's identity is used at home while abroad (a civil-registry
    # move row naming them with another address: not an event, the roll must not change).
    pmi_departed_return_monthly: float = 0.0
    pmi_return_moved_share: float = 0.0
    pmi_misuse_monthly: float = 0.0
    prison_release_monthly: float = 0.07  # of inmates, released per month (stay ~14 months)
    pilkades_month_prob: float = 0.35  # chance that a month has village-head election lists
    pilkades_max_desa: int = 2  # 1..this many desa lists in such a month
    stale_report_monthly: float = 0.04  # stale DPT entries (old death or move) reported per month

    # --- reporting --------------------------------------------------------------------------
    report_death: float = 0.85  # disdukcapil reports a death (rest: never, no certificate)
    report_move_out: float = 0.85
    report_move_in: float = 0.85
    report_move_within: float = 0.7
    report_pemula: float = 0.92
    report_correction: float = 1.0
    report_housing: float = 0.8  # perumahan reports occupants of new housing
    report_kawin: float = 0.9  # KUA / religious court reports marriages under 17
    report_pmi: float = 0.8  # BP2MI knows documented migrant workers only
    report_tni_polri: float = 0.95
    report_lapas: float = 1.0
    late_share: float = 0.1  # of reports, sent one month late

    # --- agency file noise (per row) --------------------------------------------------------
    agency_nik_missing: float = 0.015
    agency_nik_placeholder: float = 0.01
    agency_nik_wrong_serial: float = 0.005
    agency_birthdate_mismatch: float = 0.01  # tanggal_lahir mistyped (disagrees with the NIK)
    agency_nkk_missing: float = 0.03
    agency_name_variant: float = 0.05  # M./MOH./ST., dropped or swapped words, old spelling
    agency_name_typo: float = 0.02  # one-letter typo
    agency_date_swapped: float = 0.01  # day and month of the birth date swapped
    agency_trailing_space: float = 0.03  # trailing or double spaces in text cells
    agency_place_variant: float = 0.03  # tempat_lahir written differently (KAB. BOGOR, typo)
    agency_desa_variant: float = 0.03  # desa name with prefix or typo (agencies giving names)
    agency_duplicate_row: float = 0.01  # row repeated
    agency_unusable_row: float = 0.004  # blank, garbage or total rows
    lapas_nik_missing: float = 0.35  # prison files often lack NIK
    excel_serial_share: float = 0.15  # dates written as Excel serial numbers where an agency mixes


    def __post_init__(self) -> None:
        if not MONTH.match(self.start):
            raise ValueError(f"start must be YYYY-MM, got {self.start!r}")
        if self.voters < 100:
            raise ValueError("voters must be at least 100")
        if self.months < 0:
            raise ValueError("months must be >= 0")
        from .profiles import check

        check(self.profile)

    @property
    def baseline_date(self) -> dt.date:
        """The day before the first month: the date the baseline DPT describes."""
        y, m = (int(x) for x in self.start.split("-"))
        return dt.date(y, m, 1) - dt.timedelta(days=1)

    def month_labels(self) -> list[str]:
        y, m = (int(x) for x in self.start.split("-"))
        out = []
        for i in range(self.months):
            yy, mm = y + (m - 1 + i) // 12, (m - 1 + i) % 12 + 1
            out.append(f"{yy:04d}-{mm:02d}")
        return out

    def to_dict(self) -> dict:
        """The fields; ``profile`` only when it is not typical (meta.json of a typical regency
        stays byte for byte what it was before profiles existed)."""
        out = asdict(self)
        if out["profile"] == "typical":
            del out["profile"]
        for name in PMI_OPTIONAL:
            if not out[name]:
                del out[name]  # (and the migrant-worker options when they are off)
        return out
