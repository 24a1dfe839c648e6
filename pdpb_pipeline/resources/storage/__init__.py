"""The warehouse's reads and writes, one module per group of assets, as methods of ``Warehouse``.

Asset bodies hold no SQL: they call the method named after what they read or write
(``warehouse.link_decisions(part)``, ``warehouse.write_pemutakhiran(...)``...). Each module
is a mixin of ``resources.warehouse.Warehouse``, which adds the engine and the generic
partition-replacing writes (``replace``, COPY on PostgreSQL).

Which table holds which asset (``ASSET_TABLES``; the README shows the same table):
"""

#: asset key -> the warehouse table(s) holding its rows
ASSET_TABLES: dict[str, tuple[str, ...]] = {
    "berkas_masuk": ("landing_file",),
    "feed/<agency>": ("feed_row", "quarantine"),
    "dpt_baseline": ("dpb", "dpb_versi", "roll_duplicate", "baseline_load"),
    "tautan/kandidat": ("link_candidate",),
    "tautan/keputusan": ("link_decision",),
    "tautan/ganda_dpb": ("roll_duplicate",),
    "usulan_perubahan": ("change_proposal", "status_pemilih"),
    "antrean_coktas": ("antrean_coktas",),
    "perubahan": ("perubahan",),
    "dpb": ("dpb", "dpb_versi"),
    "rekap": ("rekap",),
    "daftar/<name>": ("daftar_baris",),
    "publikasi": ("publikasi", "dpb_bulan"),
    "rekap_triwulan, rekap_semester, rekap_provinsi/<grain>, rekap_nasional/<grain>": (
        "rekap_gabungan", "rekap_gabungan_anggota"),
    "publikasi_triwulan, publikasi_semester, publikasi_provinsi/<grain>, publikasi_nasional/<grain>": (
        "publikasi_gabungan",),
}

__doc__ += "\n" + "\n".join(f"- ``{key}``: {', '.join(tables)}" for key, tables in ASSET_TABLES.items()) + "\n"
