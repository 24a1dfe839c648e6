"""``generate``: one synthetic regency, baseline DPT + monthly agency files + truth.

Layout written under ``out_dir`` (CODE = dotted regency code, months ``YYYY-MM``)::

    baseline/CODE/dpt.csv                 the starting roll (canonical person schema)
    landing/CODE/YYYY-MM/<agency>.csv|xlsx one file per agency per month (none if nothing sent)
    truth/CODE/YYYY-MM.csv                one row per data row of that month's files
    truth/CODE/baseline.csv               one row per DPT row
    truth/CODE/persons.csv                the whole synthetic population
    truth/CODE/events.csv                 every true event (reported or not), the ledger
    truth/CODE/pmi.csv                    the migrant-worker rows' destination countries
    truth/CODE/lapas.csv                  who is in which remand centre or prison, month by month

``baseline/`` and ``landing/`` form a complete landing zone; the pipeline never reads
``truth/``.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from pdpb_pipeline.domain import regions, schema
from .agencies import AGENCIES
from .baseline import build_baseline, person_ids
from .config import SynthConfig
from .events import Simulation
from pdpb_pipeline.output.fastio import pad3, prefixed_ids, write_csv
from .places import build_geo
from .profiles import effective_config
from .population import (
    LUAR_NEGERI,
    MARITAL,
    NIK_SRC_NAMES,
    PENDUDUK,
    ROLE_NAMES,
    STATUS_NAMES,
    build_population,
    format_nik,
)
from .writer import TRUTH_COLUMNS, ProfileFaults, build_rows, file_name, write_file

EVENT_COLUMNS = ("event_id", "bulan", "person_id", "jenis_peristiwa", "tanggal_peristiwa", "kategori",
                 "sub_kategori", "roll_id", "di_roll") + schema.PERSON_COLUMNS[1:] + ("tni_polri",)


@dataclass
class SynthSummary:
    regency: str
    out_dir: str
    voters_baseline: int  # DPT rows
    ganda_rows: int
    stale_rows: int
    population: int  # residents at baseline (incl. migrant workers abroad)
    persons_total: int  # rows of truth persons.csv (incl. movers-in and outside inmates)
    months: list[str]
    rows: dict[str, dict[str, int]] = field(default_factory=dict)  # agency -> month -> data rows
    events: dict[str, int] = field(default_factory=dict)  # month -> events in the ledger
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return asdict(self)

    def __getitem__(self, key):  # summary["voters_baseline"] works too
        return getattr(self, key)


def _dates_to_iso(values: np.ndarray) -> np.ndarray:
    s = np.datetime_as_string(values.astype("datetime64[D]"), unit="D").astype(object)
    s[np.isnat(values)] = ""
    return s


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, lineterminator="\n")


def _written_dates(dpt: pd.DataFrame, cfg: SynthConfig) -> pd.DataFrame:
    """The DPT as its file writes birth dates: shares blank or DD-MM-YYYY (own random stream, so
    the rest of the regency is the same with or without them)."""
    if not (cfg.baseline_birthdate_blank or cfg.baseline_birthdate_dmy):
        return dpt
    u = np.random.default_rng([cfg.seed, 0xDA7E]).random(len(dpt))
    born = pd.to_datetime(dpt["tanggal_lahir"])
    text = born.dt.strftime("%Y-%m-%d").fillna("")
    blank = u < cfg.baseline_birthdate_blank
    dmy = ~blank & (u < cfg.baseline_birthdate_blank + cfg.baseline_birthdate_dmy)
    text = text.where(~dmy, born.dt.strftime("%d-%m-%Y")).where(~blank, "")
    return dpt.assign(tanggal_lahir=text)


def generate(config: SynthConfig, out_dir: Path | str) -> SynthSummary:
    """Generates the synthetic regency described by ``config`` under ``out_dir``."""
    t0 = time.perf_counter()
    cfg = effective_config(config)
    code = regions.normalize_regency(cfg.regency)
    out = Path(out_dir)
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(cfg.seed).spawn(6)]
    months = cfg.month_labels()

    geo = build_geo(code, streams[0])
    P = build_population(cfg, geo, streams[1])
    B = build_baseline(cfg, geo, P, streams[2])
    base_dir = out / "baseline" / code
    base_dir.mkdir(parents=True, exist_ok=True)
    schema.write_person_csv(_written_dates(B.dpt, cfg), base_dir / "dpt.csv")
    truth_dir = out / "truth" / code
    truth_dir.mkdir(parents=True, exist_ok=True)
    meta = {"regency": code, "regency_name": regions.regency_name(code), "seed": cfg.seed,
            "baseline_date": cfg.baseline_date.isoformat(), "months": months, "config": cfg.to_dict()}
    (truth_dir / "meta.json").write_text(json.dumps(meta, indent=1, sort_keys=True) + "\n")
    write_csv(truth_dir / "baseline.csv", {k: B.truth[k].to_numpy() for k in B.truth.columns})

    sim = Simulation(cfg, geo, P, B.roll_id, B.listed, streams[3])
    if months:
        sim.roster(np.datetime64(f"{months[0]}-01", "D"))
    inmates = []
    for i, label in enumerate(months):
        sim.run_month(i, label)
        inside, where = sim.inmates()
        inmates.append(pd.DataFrame({"bulan": label, "nama_lapas": np.asarray(sim.institutions, dtype=object)[where],
                                     "person_id": person_ids(inside), "nik": format_nik(P.nik[inside])}))

    ledger = _ledger_frame(sim, geo)
    _write_csv(ledger, truth_dir / "events.csv")
    _write_persons(P, geo, truth_dir / "persons.csv")

    summary = SynthSummary(
        regency=code, out_dir=str(out), voters_baseline=len(B.dpt),
        ganda_rows=int((B.truth["status"].to_numpy() == "ganda").sum()),
        stale_rows=int(np.isin(B.truth["status"].to_numpy(), ["stale_meninggal", "stale_pindah"]).sum()),
        population=int(((P.status == PENDUDUK) | (P.status == LUAR_NEGERI)).sum()),
        persons_total=len(P), months=months,
        events={m: int((ledger["bulan"] == m).sum()) for m in months},
    )
    _write_csv(pd.concat(inmates, ignore_index=True) if inmates else pd.DataFrame(columns=list(LAPAS_COLUMNS)),
               truth_dir / "lapas.csv")
    reports = _reports_frame(sim, geo, P, len(months))
    rng = streams[4]
    # The clean / hard fault model draws from its own stream: typical's files stay as they were.
    extra = (ProfileFaults(P, np.random.default_rng([cfg.seed, 0xFA17]))
             if cfg.profile != "typical" else None)
    pmi_rows: list[dict] = []
    for i, label in enumerate(months):
        (out / "landing" / code / label).mkdir(parents=True, exist_ok=True)  # even if nobody sent
        month_rows = reports[reports["rep_month"] == i]
        truth_parts = []
        for agency in AGENCIES:
            rows = month_rows[month_rows["agency"] == agency]
            roster_file = AGENCIES[agency].get("roster_file")
            if roster_file:  # the roster is a file of its own, drawn from its own streams
                roster = rows["jenis_rep"] == "penghuni_lapas"
                if roster.any():
                    faults = (ProfileFaults(P, np.random.default_rng([cfg.seed, 0x524F54]))
                              if extra is not None else None)
                    header, cells, truth = build_rows(agency, rows[roster], cfg, geo,
                                                      np.random.default_rng([cfg.seed, 0x524F53]), faults, roster_file)
                    write_file(out / "landing" / code / label / roster_file, agency, header, cells)
                    truth_parts.append(pd.DataFrame(truth, columns=list(TRUTH_COLUMNS)))
                    summary.rows.setdefault(agency, {})[label] = len(cells)
                rows = rows[~roster]
            if not len(rows):
                continue
            header, cells, truth = build_rows(agency, rows, cfg, geo, rng, extra)
            write_file(out / "landing" / code / label / file_name(agency), agency, header, cells)
            if agency == "bp2mi":
                pmi_rows += [{"bulan": label, **{k: t[k] for k in PMI_COLUMNS[1:]}} for t in truth if t["person_id"]]
            truth_parts.append(pd.DataFrame(truth, columns=list(TRUTH_COLUMNS)))
            rows_sent = summary.rows.setdefault(agency, {})
            rows_sent[label] = rows_sent.get(label, 0) + len(cells)  # data rows in the files
        frame = (pd.concat(truth_parts, ignore_index=True) if truth_parts
                 else pd.DataFrame(columns=list(TRUTH_COLUMNS)))
        _write_csv(frame[list(TRUTH_COLUMNS)], truth_dir / f"{label}.csv")
    _write_csv(pd.DataFrame(pmi_rows, columns=list(PMI_COLUMNS)), truth_dir / "pmi.csv")
    summary.seconds = round(time.perf_counter() - t0, 2)
    return summary


#: ``truth/CODE/lapas.csv``: who is in which remand centre or prison at the end of each month.
LAPAS_COLUMNS = ("bulan", "nama_lapas", "person_id", "nik")

#: ``truth/CODE/pmi.csv``: every row of the migrant-worker agency's files with the destination
#: country it was written with (the file's ``negara`` cell before any noise).
PMI_COLUMNS = ("bulan", "berkas", "baris", "person_id", "jenis_peristiwa", "negara")


def _concat(chunks: list[dict], keys) -> dict:
    return {k: np.concatenate([c[k] for c in chunks]) for k in keys}


def _ledger_frame(sim: Simulation, geo) -> pd.DataFrame:
    if not sim.events:
        return pd.DataFrame(columns=list(EVENT_COLUMNS))
    c = _concat(sim.events, sim.events[0].keys())
    local = c["desa"] >= 0
    return pd.DataFrame({
        "event_id": _event_ids(c["ev"]),
        "bulan": c["bulan"],
        "person_id": person_ids(c["person"]),
        "jenis_peristiwa": c["jenis"],
        "tanggal_peristiwa": _dates_to_iso(c["tanggal"]),
        "kategori": c["kategori"],
        "sub_kategori": c["sub"],
        "roll_id": c["roll_id"],
        "di_roll": c["di_roll"],
        "nik": format_nik(c["nik"]),
        "nkk": format_nik(c["nkk"]),
        "nama": c["nama"],
        "tempat_lahir": c["tempat_lahir"],
        "tanggal_lahir": _dates_to_iso(c["birth"]),
        "jenis_kelamin": np.where(c["female"], "P", "L"),
        "status_kawin": MARITAL[c["marital"]],
        "alamat": c["alamat"],
        "rt": np.where(local, pad3(c["rt"]), ""),
        "rw": np.where(local, pad3(c["rw"]), ""),
        "kode_desa": np.where(local, geo.desa_code[np.maximum(c["desa"], 0)], ""),
        "tni_polri": np.array(["", "TNI", "POLRI"], dtype=object)[c["tni"]],
    })


def _event_ids(ev: np.ndarray) -> np.ndarray:
    out = prefixed_ids("E", np.maximum(ev, 0), 7)
    out[ev < 0] = ""
    return out


def _reports_frame(sim: Simulation, geo, P, n_months: int) -> pd.DataFrame:
    if not sim.reports:
        return pd.DataFrame(columns=["rep_month", "agency"])
    c = _concat(sim.reports, sim.reports[0].keys())
    keep = c["rep_month"] < n_months
    c = {k: v[keep] for k, v in c.items()}
    local = c["desa"] >= 0
    d = np.maximum(c["desa"], 0)
    return pd.DataFrame({
        "rep_month": c["rep_month"], "agency": c["agency"], "jenis_rep": c["jenis_rep"],
        "person_id": person_ids(c["person"]), "event_id": _event_ids(c["ev"]),
        "roll_id": c["roll_id"], "di_roll": c["di_roll"], "kategori": c["kategori"], "sub": c["sub"],
        "late": c["rep_month"] > c["month"],
        "tanggal": c["tanggal"].astype("datetime64[D]").astype(object),
        "nik_s": format_nik(c["nik"]), "nkk_s": format_nik(c["nkk"]), "nama": c["nama"],
        "tempat_lahir": c["tempat_lahir"], "birth": c["birth"].astype("datetime64[D]").astype(object),
        "female": c["female"], "marital": c["marital"], "alamat": c["alamat"],
        "rt": c["rt"], "rw": c["rw"], "desa": c["desa"],
        "kode_desa": np.where(local, geo.desa_code[d], ""),
        "desa_name": np.where(local, geo.desa_name[d], ""),
        "kec_name": np.where(local, geo.kec_name[geo.desa_kec[d]], ""),
        "kab": np.where(local, geo.name, geo.origin_name[P.origin[c["person"]]]),
        "tni": c["tni"], "pidx": c["person"],
        "lapas": np.where(c["lapas"] >= 0, np.asarray(sim.institutions, dtype=object)[np.maximum(c["lapas"], 0)], ""),
    })


def _write_persons(P, geo, path: Path) -> None:
    local = P.desa >= 0
    d = np.maximum(P.desa, 0)
    frame = {
        "person_id": person_ids(np.arange(len(P))),
        "nik": format_nik(P.nik),
        "nkk": format_nik(P.nkk),
        "nama": P.nama,
        "tempat_lahir": P.tempat_lahir,
        "tanggal_lahir": _dates_to_iso(P.birth),
        "jenis_kelamin": np.where(P.female, "P", "L"),
        "status_kawin": MARITAL[P.marital],
        "alamat": P.alamat,
        "rt": np.where(local, pad3(P.rt), ""),
        "rw": np.where(local, pad3(P.rw), ""),
        "kode_desa": np.where(local, geo.desa_code[d], ""),
        "household_id": P.hh,
        "hubungan": np.array(ROLE_NAMES, dtype=object)[P.role],
        "status_baseline": np.array(STATUS_NAMES, dtype=object)[P.status],
        "tanggal_status": _dates_to_iso(P.status_date),
        "tni_polri": np.array(["", "TNI", "POLRI"], dtype=object)[P.tni],
        "di_lapas": P.inmate.astype(np.int8),
        "nik_asal": np.array(NIK_SRC_NAMES, dtype=object)[P.nik_src],
        "nik_tgl_beda": P.nik_tgl_beda.astype(np.int8),
    }
    write_csv(path, frame)
