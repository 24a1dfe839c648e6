"""What each agency event means for the roll: the rule table a KPU data officer reads.

Each event (``jenis_peristiwa``) has one ``EventRule``: what it changes when its person is on
the roll (``on_match``) and when they are not (``on_new``), what a removal must rest on
(``EVIDENCE``), and the standing it records beyond its month (``marks``, see ``roll.status``).
The answers field officers write back from the door-to-door check (coktas) are listed here too.
"""

from __future__ import annotations

from dataclasses import dataclass


ADDRESS_FIELDS = ("alamat", "rt", "rw", "kode_desa")


IDENTITY_FIELDS = ("nama", "tempat_lahir", "tanggal_lahir", "jenis_kelamin", "status_kawin", "nkk")


@dataclass(frozen=True)
class EventRule:
    #: (kategori, sub_kategori) when the person is on the roll, or "alamat"/"identitas"/"kawin"
    #: for an update of those fields; None: nothing to do.
    on_match: tuple[str, str] | str | None
    #: (kategori, sub_kategori) of a new voter when the person is not on the roll.
    on_new: tuple[str, str] | None
    #: A new voter from this event is always checked in the field first: an adult who already
    #: lived in the regency but is not on the roll is there for a reason (TNI/Polri, removed).
    new_needs_check: bool = False
    #: The event itself says the person became a voter (the registry's "turned 17", a marriage):
    #: a NIK whose encoded date says under 17 is then the known NIK date fault, not a reason to
    #: check. For any other event the age rests on the typed date alone, and a NIK that says
    #: under 17 sends a new voter to the field check.
    makes_voter: bool = False
    #: A new voter from this event only when marriage is what makes them one (under 17 and
    #: married), and checked in the field first: the row does not say what was corrected.
    new_by_marriage_only: bool = False
    #: What a removal (TMS) on a sure match must rest on, names of ``EVIDENCE``. When any of it
    #: is missing, unreadable or contradicted the removal is queued for coktas with the reason.
    evidence: tuple[str, ...] = ()
    #: The standing this event records for the person beyond its month (``roll.status``):
    #: (kind of bar, True sets it / False lifts it).
    marks: tuple[str, bool] | None = None
    #: An address change from this event rests on a desa of the regency named by the row (the
    #: desa of the person's KTP/KK): without one the record keeps its address, never a guess.
    address_needs_desa: bool = False


#: The evidence a removal can require, and what each means. Missing evidence never removes a
#: voter: the change waits for the door-to-door check instead.
EVIDENCE: dict[str, str] = {
    "identitas": "the agency row names this voter: its usable NIK is the record's and its name and birth "
                 "date do not say another person; without a usable NIK on both, its name and its known "
                 "birth date are the record's",
    "tanggal_peristiwa": "the date the event happened is known",
    "tanggal_lahir": "the record's birth date is known",
    "nik_menguatkan": "a usable NIK whose own birth date is the record's birth date",
}


#: The roll's own removal rules and the evidence each rests on (duplicates: ``roll.ganda``).
ROLL_EVIDENCE: dict[str, tuple[str, ...]] = {"usia_di_bawah_17": ("tanggal_lahir", "nik_menguatkan")}


_EXIT = ("identitas", "tanggal_peristiwa")


EVENT_RULES: dict[str, EventRule] = {
    "meninggal": EventRule(("tms", "meninggal"), None, evidence=_EXIT),
    "pindah_keluar": EventRule(("tms", "pindah_keluar"), None, evidence=_EXIT),
    "masuk_tni": EventRule(("tms", "sipil_ke_tni_polri"), None, evidence=_EXIT, marks=("tni_polri", True)),
    "masuk_polri": EventRule(("tms", "sipil_ke_tni_polri"), None, evidence=_EXIT, marks=("tni_polri", True)),
    "pindah_masuk": EventRule("alamat", ("pemilih_baru", "pindah_masuk")),
    "pindah_dalam": EventRule("alamat", ("pemilih_baru", "pindah_masuk"), new_needs_check=True),
    "penghuni_baru": EventRule("alamat", ("pemilih_baru", "pindah_masuk")),
    "daftar_pemilih_desa": EventRule("alamat", ("pemilih_baru", "pindah_masuk")),
    # Turning 17 adds somebody not on the roll; one already on it is a voter already (a record
    # registered early, or the linkage found them): nothing to change.
    "pemilih_pemula": EventRule(None, ("pemilih_baru", "pemilih_pemula"), makes_voter=True),
    "kawin": EventRule("kawin", ("pemilih_baru", "pemilih_pemula"), makes_voter=True),
    "pensiun_tni": EventRule(None, ("pemilih_baru", "tni_polri_ke_sipil"), marks=("tni_polri", False)),
    "pensiun_polri": EventRule(None, ("pemilih_baru", "tni_polri_ke_sipil"), marks=("tni_polri", False)),
    # A correction of somebody not on the roll that says they are married though under 17: a
    # marriage the KUA did not report, seen on the family card. An adult not on the roll in a
    # correction is more likely a voter the linkage missed than a new one: nothing to add.
    "perbaikan_data": EventRule("identitas", ("pemilih_baru", "pemilih_pemula"), new_by_marriage_only=True),
    # Inmates and departing migrant workers keep their vote: the roll stays.
    "masuk_lapas": EventRule(None, None),
    "keluar_lapas": EventRule(None, None),
    "penghuni_lapas": EventRule(None, None),  # a row of a prison's full roster: the list's state only
    # A departing migrant worker stays on the roll, marked abroad (with the destination country)
    # for KPU's overseas list; while marked, other agencies' changes of the record are checked in
    # the field first (``ABROAD_REASON``). A return lifts the mark: a voter on the roll gets the
    # desa of the KTP/KK the row names (none named: the roll's desa stays, listed for a check);
    # a worker not on the roll (on the overseas list at the DPT) is added.
    "pmi_berangkat": EventRule(None, None, marks=("luar_negeri", True)),
    "pmi_pulang": EventRule("alamat", ("pemilih_baru", "pindah_masuk"), marks=("luar_negeri", False),
                            address_needs_desa=True),
    # A court's decision (pidana tambahan) removes the right to vote, until its end date if any.
    "pencabutan_hak_pilih": EventRule(("tms", "dicabut_hak_pilih"), None, evidence=_EXIT, marks=("hak_pilih", True)),
}


#: The reason (``alasan``) of a change held for coktas because its voter is marked abroad: the
#: identity of a worker abroad used at home is what the check is for (``roll.status.abroad``).
ABROAD_REASON = "tercatat_di_luar_negeri"
#: Sources whose rows are not held by the abroad mark: the migrant-worker agency's own, the
#: field check's answers, the roll's own rules.
ABROAD_EXEMPT = ("bp2mi", "coktas", "dpb")


# Answers of the door-to-door check (coktas), normalised to upper-case words.
COKTAS_CONFIRM = {"TERBUKTI", "BENAR", "SESUAI", "YA", "TERKONFIRMASI", "DITERIMA", "SETUJU"}


COKTAS_REJECT = {"TIDAK TERBUKTI", "TIDAK SESUAI", "TIDAK", "DITOLAK", "SALAH", "MS", "MEMENUHI SYARAT"}


COKTAS_TMS = {
    "MENINGGAL": "meninggal", "MENINGGAL DUNIA": "meninggal", "TIDAK DIKENAL": "tidak_dikenal",
    "TIDAK DIKENALI": "tidak_dikenal", "PINDAH": "pindah_keluar", "PINDAH DOMISILI": "pindah_keluar",
    "GANDA": "ganda", "DI BAWAH UMUR": "di_bawah_umur", "TNI": "tni", "POLRI": "polri",
    "BUKAN PENDUDUK": "bukan_penduduk", "DICABUT HAK PILIH": "dicabut_hak_pilih",
}
