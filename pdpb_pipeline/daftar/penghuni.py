"""The housing office's occupants per estate (``penghuni_<regency>_<month>``): who field
officers must visit in apartments and public flats (rusun) they cannot get into.

Each occupant row of the month's ``perumahan`` file lands in one part, from what the linkage
and the roll step decided for it (never decided again here):

- ``di_alamat``: a voter on the roll (sure link) registered at that address: the row proposed
  no address change;
- ``pindahan``: an occupant registered elsewhere who moved in: a voter on the roll for whom the
  row proposed ``ubah_alamat`` (queued for coktas: the housing office is not the legal source
  of a move), with the address the month's roll holds (``keterangan`` says when that is already
  this one: the registry's move, applied the same month); or somebody on no roll of this
  regency (no link) for whom the row proposed a Pemilih Baru ``pindah_masuk`` (registered in
  another regency), with its status;
- ``kunjungan``: not found on the roll (no link, or a doubtful one) and no move proposed (no
  NIK, under 17, a doubtful link...): the visit list, with why nothing was proposed and an
  empty ``hasil_kunjungan`` for the officer.

The estate is the file's own column (``nama_perumahan``: ``nama perumahan``, ``nama rusun``,
``nama apartemen``, ``lokasi``...); a row without one is counted under ``(tanpa nama)``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .common import (PERSON, PROPOSAL, SOURCE, desa_names, linked, person_rows, place_names, proposal_of_rows,
                     roll_records)
from .spec import Bagian, DaftarInput, DaftarSpec

ESTATE = "nama_perumahan"
ROLL_ADDRESS = ("dpb_alamat", "dpb_rt", "dpb_rw", "dpb_kode_desa", "dpb_desa")


def build(inp: DaftarInput) -> dict[str, pd.DataFrame]:
    rows = person_rows(inp)
    estate = inp.feed[ESTATE] if ESTATE in inp.feed.columns else pd.Series("", index=inp.feed.index)
    rows.insert(0, ESTATE, place_names(estate).to_numpy())
    link = linked(inp).reindex(rows["feed_id"])
    proposed = proposal_of_rows(inp).reindex(rows["feed_id"])
    rows["voter_id"] = link["roll_id"].fillna("").to_numpy()
    for name in PROPOSAL:
        rows[name] = proposed[name].fillna("").to_numpy()
    on_roll = (rows["voter_id"] != "").to_numpy()
    usulan = proposed["usulan"].to_numpy()
    moved = (on_roll & (usulan == "ubah_alamat")) | (~on_roll & (usulan == "pindah_masuk"))
    at_address = (link["decision"] == "match").to_numpy() & ~moved
    visit = ~moved & ~at_address

    pindahan = rows[moved].copy()
    registered = roll_records(inp.roll, pindahan["voter_id"]).reindex(pindahan["voter_id"])
    for out, source in zip(ROLL_ADDRESS[:4], ("alamat", "rt", "rw", "kode_desa")):
        pindahan[out] = registered[source].fillna("").to_numpy() if source in registered else ""
    pindahan["dpb_desa"] = desa_names(inp.part.regency, pindahan["dpb_kode_desa"])
    # Another source's change applied this month (the registry's move) may already put them here.
    same = np.logical_and.reduce([(pindahan[f"dpb_{c}"] == pindahan[c]).to_numpy() for c in ("alamat", "rt", "rw",
                                                                                          "kode_desa")])
    newcomer = (pindahan["voter_id"] == "").to_numpy()
    pindahan["keterangan"] = np.select([newcomer, same], ["belum di DPB: pindah masuk dari daerah lain",
                                                          "DPB bulan ini sudah memuat alamat ini"], "")
    kunjungan = rows[visit].assign(voter_id="", hasil_kunjungan="")
    order = [ESTATE, "alamat", "rt", "rw", "nama"]
    return {name: frame.sort_values(order, kind="stable") for name, frame in
            (("di_alamat", rows[at_address]), ("pindahan", pindahan), ("kunjungan", kunjungan))}


_PERSON = (ESTATE, *PERSON, "voter_id")
SPEC = DaftarSpec(
    name="penghuni",
    feeds=("perumahan",),
    stem="penghuni",
    title="DAFTAR PENGHUNI PERUMAHAN / APARTEMEN / RUSUN",
    description="Occupants per housing estate, apartment or rusun (Dinas Perumahan): voters registered "
                "there, occupants registered elsewhere who moved in (ubah alamat or pindah masuk proposed), "
                "and occupants not on the roll with no move proposed: the field officers' visit list",
    group_by=(ESTATE,),
    parts=(
        Bagian("di_alamat", "Terdaftar di alamat ini", (*_PERSON, *SOURCE)),
        Bagian("pindahan", "Terdaftar di alamat lain", (*_PERSON, *ROLL_ADDRESS, *PROPOSAL, "keterangan", *SOURCE)),
        Bagian("kunjungan", "Belum di DPB (kunjungan)", (*_PERSON, *PROPOSAL, *SOURCE, "hasil_kunjungan")),
    ),
    build=build,
    needs_roll=True,
)
