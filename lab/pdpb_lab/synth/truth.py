"""Reading the generator's truth back, for scoring later stages (the pipeline never does).

Contract of ``truth/<CODE>/``:

- ``meta.json``: the configuration, the baseline date and the months.
- ``persons.csv``: every synthetic person with the true canonical fields *at baseline*
  (``nik`` is the true NIK; ``nik_tgl_beda`` = 1 when that NIK encodes another birth date than
  the true one), ``household_id``, ``hubungan``, ``status_baseline`` (``penduduk`` resident;
  ``luar_negeri`` resident working abroad, on the overseas list not this one; ``meninggal`` /
  ``pindah`` died / moved away before baseline, with ``tanggal_status``; ``pendatang`` will move
  in; ``luar`` lives in another regency), ``tni_polri`` (active member at baseline), ``di_lapas``,
  ``nik_asal`` (where the NIK was first issued).
- ``events.csv``: every true event, reported or not, in order, with the roll category relative
  to the ideal roll just before it and the person's canonical fields just after it.
- ``lapas.csv``: who is in which remand centre or prison (``nama_lapas``, as the prisons' files
  name it) at the end of each month (``bulan``), with the true NIK.
- ``baseline.csv`` and ``YYYY-MM.csv``: one row per DPT row / agency file row (``nama_perumahan``:
  the housing estate or rusun a housing-office row's occupant truly lives in).

The true roll at the end of month M (eligible residents: 17+ or married, not active TNI/Polri,
not registered abroad) = baseline residents eligible at baseline, then for every event up to M:
``pemilih_baru`` adds the person, ``tms`` removes, ``ubah_data`` updates the fields.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd

from pdpb_pipeline.domain import schema


def truth_dir(out_dir: Path | str, code: str) -> Path:
    return Path(out_dir) / "truth" / code


def read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def inmates(out_dir: Path | str, code: str) -> pd.DataFrame:
    """``lapas.csv``: a row per inmate per month end (``bulan``, ``nama_lapas``, ``person_id``, ``nik``)."""
    return read_csv(truth_dir(out_dir, code) / "lapas.csv")


def meta(out_dir: Path | str, code: str) -> dict:
    return json.loads((truth_dir(out_dir, code) / "meta.json").read_text())


def _eligible(frame: pd.DataFrame, on: dt.date) -> pd.Series:
    born = pd.to_datetime(frame["tanggal_lahir"], format="%Y-%m-%d")
    limit = pd.Timestamp(on.year - 17, on.month, on.day) if not (on.month == 2 and on.day == 29) \
        else pd.Timestamp(on.year - 17, 3, 1)
    return (born <= limit) | frame["status_kawin"].isin(["S", "P"])


def true_roll(out_dir: Path | str, code: str, month: str | None = None) -> pd.DataFrame:
    """The true roll (person_id + canonical fields) at baseline or at the end of ``month``."""
    info = meta(out_dir, code)
    base = dt.date.fromisoformat(info["baseline_date"])
    td = truth_dir(out_dir, code)
    persons = read_csv(td / "persons.csv")
    fields = list(schema.PERSON_COLUMNS[1:])
    start = persons[(persons["status_baseline"] == "penduduk") & (persons["tni_polri"] == "")]
    start = start[_eligible(start, base)]
    events = read_csv(td / "events.csv") if month is not None else pd.DataFrame(columns=["bulan", "person_id"])
    events = events[events["bulan"] <= month] if month is not None else events
    # Only the people events touch are replayed one by one (a few per cent of a regency).
    touched = set(events["person_id"])
    untouched = start[~start["person_id"].isin(touched)]
    start = start[start["person_id"].isin(touched)]
    roll = {pid: row for pid, row in zip(start["person_id"], start[fields].to_dict("records"))}
    for ev in events.itertuples(index=False):
        kat = ev.kategori
        if kat == "pemilih_baru" or (kat == "ubah_data" and ev.person_id in roll):
            roll[ev.person_id] = {f: getattr(ev, f) for f in fields}
        elif kat == "tms":
            roll.pop(ev.person_id, None)
    replayed = pd.DataFrame.from_dict(roll, orient="index", columns=fields).rename_axis("person_id").reset_index()
    out = pd.concat([untouched[["person_id", *fields]], replayed], ignore_index=True)
    return out.sort_values("person_id", ignore_index=True)


def pmi_rows(out_dir: Path | str, code: str) -> pd.DataFrame:
    """``truth/CODE/pmi.csv``: every migrant-worker agency row (month, file, row, person, event)
    with the destination country written in it."""
    return read_csv(truth_dir(out_dir, code) / "pmi.csv")


def abroad(out_dir: Path | str, code: str, month: str) -> pd.DataFrame:
    """The workers who left during the months and are abroad at the end of ``month``: person_id,
    the month and date they left, ``negara`` (the country their departure row gave; empty when
    no row reported it) and ``dilaporkan`` (1 when the agency reported the departure by then).
    Workers abroad at baseline are on the overseas list already, not the regency's roll."""
    events = read_csv(truth_dir(out_dir, code) / "events.csv")
    moves = events[events["jenis_peristiwa"].isin(["pmi_berangkat", "pmi_pulang"]) & (events["bulan"] <= month)]
    latest = moves.drop_duplicates("person_id", keep="last")
    away = latest[latest["jenis_peristiwa"] == "pmi_berangkat"]
    rows = pmi_rows(out_dir, code)
    left = rows[(rows["jenis_peristiwa"] == "pmi_berangkat") & (rows["bulan"] <= month)]
    left = left.drop_duplicates("person_id", keep="last").set_index("person_id")
    return pd.DataFrame({
        "person_id": away["person_id"].to_numpy(), "bulan": away["bulan"].to_numpy(),
        "tanggal_peristiwa": away["tanggal_peristiwa"].to_numpy(),
        "negara": away["person_id"].map(left["negara"]).fillna("").to_numpy(),
        "dilaporkan": away["person_id"].isin(left.index).astype(int).to_numpy(),
    }).sort_values("person_id", ignore_index=True)


def returned(out_dir: Path | str, code: str, month: str | None = None) -> pd.DataFrame:
    """Every return home (``pmi_pulang``) up to ``month``: person_id, month, the desa of the KTP/KK
    they came back to (``kode_desa``), whether they were on the roll just before (``di_roll``)
    and the roll category (``ubah_data`` when the roll's desa was another one)."""
    events = read_csv(truth_dir(out_dir, code) / "events.csv")
    back = events[(events["jenis_peristiwa"] == "pmi_pulang") & ((events["bulan"] <= month) if month else True)]
    return back[["person_id", "bulan", "kode_desa", "alamat", "di_roll", "kategori", "sub_kategori"]].reset_index(
        drop=True)
