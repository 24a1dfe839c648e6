"""One writer for every agency: canonical report rows -> the agency's own file, plus truth rows.

The agency's conventions come from ``agencies.AGENCIES`` (data). Row noise is drawn here and
every fault applied to a row is listed in that row's truth ``noise``. Files are byte-for-byte
reproducible: CSV via the ``csv`` module, XLSX via openpyxl with fixed document properties and
the zip rewritten with fixed entry timestamps.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import numpy as np
import pandas as pd

from . import faults as F
from . import noise as Z
from .agencies import AGENCIES, LAPAS_CASES, PMI_COUNTRIES, POLRI_RANKS, POLRI_UNITS, TNI_RANKS, TNI_UNITS
from pdpb_pipeline.output.xlsx import Sheet, write_workbook
from .config import SynthConfig
from .names import STYLE_NAMES
from .places import JAWA_PLACES, STREETS, SUNDA_PLACES, addresses, estate_of
from .profiles import MOVE_EVENTS, agency_rates

TRUTH_COLUMNS = ("berkas", "baris", "agency", "jenis_peristiwa", "tanggal_peristiwa", "person_id",
                 "roll_id", "kategori", "sub_kategori", "noise", "event_id", "di_roll", "nama_perumahan")


def file_name(agency: str) -> str:
    spec = AGENCIES[agency]
    return f"{agency}.{'xlsx' if spec['format'] == 'xlsx' else 'csv'}"


def _rates(cfg: SynthConfig, agency: str) -> dict[str, float]:
    mult = AGENCIES[agency].get("noise", {})
    base = {
        "nik_missing": cfg.agency_nik_missing, "nik_placeholder": cfg.agency_nik_placeholder,
        "nik_wrong_serial": cfg.agency_nik_wrong_serial, "birthdate_mismatch": cfg.agency_birthdate_mismatch,
        "nkk_missing": cfg.agency_nkk_missing, "name_variant": cfg.agency_name_variant,
        "name_typo": cfg.agency_name_typo, "date_swapped": cfg.agency_date_swapped,
        "trailing_space": cfg.agency_trailing_space, "place_variant": cfg.agency_place_variant,
        "desa_variant": cfg.agency_desa_variant, "duplicate_row": cfg.agency_duplicate_row,
        "unusable": cfg.agency_unusable_row, "name_alias": 0.0,
    }
    out = {k: v * mult.get(k, 1.0) for k, v in base.items()}
    if "name_alias" in mult:
        out["name_alias"] = mult["name_alias"]
    if agency == "lapas":
        out["nik_missing"] = cfg.lapas_nik_missing
    return out


def _choose(rng: np.random.Generator, options: list[tuple[str, float]]) -> tuple[str, bool]:
    total = sum(p for _, p in options)
    u = rng.random() * total
    for k, (style, p) in enumerate(options):
        u -= p
        if u < 0:
            return style, k == 0
    return options[-1][0], len(options) == 1


def _date_cell(d: dt.date, style: str, xlsx: bool):
    if style == "serial":
        return Z.excel_serial(d) if xlsx else str(Z.excel_serial(d))
    if style == "date":
        return dt.datetime(d.year, d.month, d.day)
    return d.strftime(style)


def _outside_address(rng: np.random.Generator) -> tuple[str, str, str]:
    street = f"JL. {Z.pick(rng, STREETS)} NO. {int(rng.integers(1, 90))}"
    return street, str(Z.pick(rng, SUNDA_PLACES)), str(Z.pick(rng, JAWA_PLACES))


class ProfileFaults:
    """What the faults of the clean / hard profiles need beyond the row: the population (KK
    members, naming style, twins, namesakes) and their own random stream (typical: none)."""

    def __init__(self, persons, rng: np.random.Generator):
        self.P = persons
        self.rng = rng
        self.households = F.Households(persons.hh, persons.role, persons.nik)


def _pick_fault(rng: np.random.Generator, rates: dict[str, float], names: tuple[str, ...]) -> str | None:
    u = rng.random()
    for tok in names:
        if u < rates[tok]:
            return tok
        u -= rates[tok]
    return None


def _moved_desa(geo, P, desa: int, rng: np.random.Generator):
    """Another desa (mostly in the same kecamatan), an address and RT/RW in it."""
    same_kec = np.flatnonzero(geo.desa_kec == geo.desa_kec[desa])
    pool = same_kec if (len(same_kec) > 1 and rng.random() < 0.6) else np.arange(geo.n_desa)
    pool = pool[pool != desa]
    if not len(pool):
        return None
    d = int(F.pick(rng, pool))
    rw = 1 + int(rng.random() * P.n_rw[d])
    rt = 1 + int(rng.random() * P.n_rt[d])
    alamat = str(addresses(rng, geo, np.array([d]), np.array([rw], np.int16), np.array([False]))[0])
    return d, rt, rw, alamat


def build_rows(agency: str, rows: pd.DataFrame, cfg: SynthConfig, geo, rng: np.random.Generator,
               extra: ProfileFaults | None = None, fname: str | None = None):
    """Cells of the agency's file (header first) and one truth dict per data row (``fname``:
    the file's name when it is not the agency's usual one)."""
    spec = AGENCIES[agency]
    xlsx = spec["format"] == "xlsx"
    rates = agency_rates(cfg.profile, agency) or _rates(cfg, agency)
    X = extra if cfg.profile != "typical" else None
    xr = X.rng if X is not None else None
    fields = [f for f, _ in spec["columns"]]
    header = [h for _, h in spec["columns"]]
    fname = fname or file_name(agency)
    apostrophe = spec.get("apostrophe")

    # Agency order: by event date or by desa, from a shuffled start.
    rows = rows.iloc[rng.permutation(len(rows))]
    key = ["tanggal"] if spec.get("sort") == "tanggal" else ["desa", "rw", "rt"]
    rows = rows.sort_values(key, kind="stable")

    data: list[list] = []
    truth: list[dict] = []
    for r in rows.itertuples(index=False):
        tokens: list[str] = []
        negara = ""
        nik = str(r.nik_s)
        u = rng.random()
        lo = 0.0
        for tok in ("nik_missing", "nik_placeholder", "nik_wrong_serial"):
            if lo <= u < lo + rates[tok]:
                if "nik" in fields:
                    nik = "" if tok == "nik_missing" else (
                        Z.nik_placeholder(nik, rng) if tok == "nik_placeholder" else Z.nik_wrong_serial(nik, rng))
                    tokens.append(tok)
                break
            lo += rates[tok]
        if X is not None and "nik" in fields:
            pidx = int(r.pidx)
            if not tokens:
                tok = _pick_fault(xr, rates, ("nik_household", "nik_digit_typo", "nik_transposed"))
                if tok == "nik_household":
                    other = X.households.other_member_nik(pidx, xr)
                    if other is not None:
                        nik = f"{other:016d}"
                        tokens.append(tok)
                elif tok is not None:
                    nik = F.nik_digit_typo(nik, xr) if tok == "nik_digit_typo" else F.nik_transposed(nik, xr)
                    tokens.append(tok)
            if len(nik) == 16 and nik.isdigit():
                tok = _pick_fault(xr, rates, ("nik_excel_truncated", "nik_excel_scientific"))
                if tok == "nik_excel_truncated":
                    nik = F.excel_truncated(nik)
                    nik = int(nik) if xlsx else nik  # a number cell in the workbook
                    tokens.append(tok)
                elif tok is not None:
                    nik = F.excel_scientific(nik, comma=spec.get("sep") == ";")
                    tokens.append(tok)
        nkk = str(r.nkk_s)
        if "nkk" in fields and rng.random() < rates["nkk_missing"]:
            nkk = ""
            tokens.append("nkk_missing")
        nama = str(r.nama)
        if rng.random() < rates["name_variant"]:
            nama = Z.name_variant(nama, rng)
            tokens.append("name_variant")
        if rng.random() < rates["name_typo"]:
            nama = Z.name_typo(nama, rng)
            tokens.append("name_typo")
        if rng.random() < rates["name_alias"]:
            nama = Z.name_alias(nama, rng)
            tokens.append("name_alias")
        if X is not None:
            if xr.random() < rates["name_spelling"]:
                nama = F.name_spelling(nama, xr)
                tokens.append("name_spelling")
            if xr.random() < rates["name_title"]:
                title, where = F.person_title(STYLE_NAMES[int(X.P.style[pidx])], bool(r.female),
                                              cfg.seed * 10_000_019 + pidx)
                nama = F.with_title(nama, title, where, xr)
                tokens.append("name_title")
        birth: dt.date = r.birth
        if rng.random() < rates["birthdate_mismatch"]:
            birth = Z.wrong_birthdate(birth, rng)
            tokens.append("birthdate_mismatch")
        elif rng.random() < rates["date_swapped"]:
            sw = Z.swap_day_month(birth)
            if sw is not None:
                birth = sw
                tokens.append("date_swapped")
        birth_blank = False
        if X is not None and birth == r.birth:
            tok = _pick_fault(xr, rates, ("birthdate_digit_typo", "birthdate_year_off",
                                          "birthdate_placeholder", "birthdate_blank"))
            new = None
            if tok == "birthdate_digit_typo":
                new = F.birthdate_digit_typo(birth, xr)
            elif tok == "birthdate_year_off":
                new = F.birthdate_year_off(birth, xr)
            elif tok == "birthdate_placeholder":
                new = F.birthdate_placeholder(birth, agency, xr)
            elif tok == "birthdate_blank":
                birth_blank = True
                tokens.append(tok)
            if new is not None:
                birth = new
                tokens.append(tok)
        tempat = str(r.tempat_lahir)
        if rng.random() < rates["place_variant"]:
            tempat = Z.place_variant(tempat, rng, geo.name)
            tokens.append("place_variant")
        local = r.desa >= 0
        if local:
            desa_name, kec_name, kab = str(r.desa_name), str(r.kec_name), geo.name
            alamat = str(r.alamat)
        else:
            alamat, desa_name, kec_name = _outside_address(rng)
            kab = str(r.kab)
        kode = str(r.kode_desa)
        rt_n, rw_n = int(r.rt), int(r.rw)
        # the estate the person truly lives in (from the true address), as the housing office names it
        estate = estate_of(alamat) if local else ""
        if X is not None and local and str(r.jenis_rep) not in MOVE_EVENTS and xr.random() < rates["moved_desa"]:
            moved = _moved_desa(geo, X.P, int(r.desa), xr)
            if moved is not None:
                d2, rt_n, rw_n, alamat = moved
                desa_name, kec_name = str(geo.desa_name[d2]), str(geo.kec_name[geo.desa_kec[d2]])
                kode = str(geo.desa_code[d2])
                tokens.append("moved_desa")
        if X is not None:
            tokens += [t for t, flag in (("twin", X.P.twin), ("namesake", X.P.namesake)) if flag[int(r.pidx)]]
        if ("desa" in fields) and rng.random() < rates["desa_variant"]:
            desa_name = Z.desa_variant(desa_name, rng)
            tokens.append("desa_variant")
        if rng.random() < rates["trailing_space"]:
            if rng.random() < 0.6:
                nama = Z.trailing_space(nama, rng)
            else:
                alamat = Z.trailing_space(alamat, rng)
            tokens.append("trailing_space")
        if spec.get("name_case") == "title":
            nama = nama.title()
            alamat = alamat.title()
            tempat = tempat.title()
            desa_name, kec_name = desa_name.title(), kec_name.title()
            estate_cell = estate.title()
        else:
            estate_cell = estate
        if apostrophe:
            nama = nama.replace("'", apostrophe)
            alamat = alamat.replace("'", apostrophe)
        style, usual = _choose(rng, spec["dates"])
        if style == "date" and not xlsx:
            style = "%d/%m/%Y"
        if not usual:
            tokens.append("date_serial" if style == "serial" else "date_alt_format")
        event_date: dt.date = r.tanggal
        if spec.get("rt_style") == "int":
            rt_v, rw_v = (rt_n, rw_n) if xlsx else (str(rt_n), str(rw_n))
        else:
            rt_v, rw_v = f"{rt_n:03d}", f"{rw_n:03d}"
        if not local:
            rt_v = rw_v = ""
        sex = spec["sex"]["P" if r.female else "L"]
        kawin_opts = spec.get("kawin", {}).get("BSP"[int(r.marital)], ("",))
        jenis = str(r.jenis_rep)
        tni_kind = 1 if jenis.endswith("_tni") else 2  # the service entered or left
        cells = []
        for f in fields:
            if f == "no":
                v = None  # filled after duplicates and junk are placed
            elif f == "nik":
                v = nik
            elif f == "nkk":
                v = nkk
            elif f == "nama":
                v = nama
            elif f == "tempat_lahir":
                v = tempat
            elif f == "tanggal_lahir":
                v = (None if xlsx else "") if birth_blank else _date_cell(birth, style, xlsx)
            elif f == "jenis_kelamin":
                v = sex
            elif f == "status_kawin":
                v = Z.pick(rng, kawin_opts)
            elif f == "alamat":
                v = alamat
            elif f == "alamat_rtrw":
                v = f"{alamat} RT {rt_v} RW {rw_v}" if local else alamat
            elif f == "rt":
                v = rt_v
            elif f == "rw":
                v = rw_v
            elif f == "kode_desa":
                v = kode if local else ""
            elif f == "kode_desa_angka":
                v = kode.replace(".", "") if local else ""
            elif f == "desa":
                v = desa_name
            elif f == "kecamatan":
                v = kec_name
            elif f == "kabupaten":
                v = kab
            elif f == "jenis_peristiwa":
                v = spec["events"].get(jenis, jenis.upper())
                v = Z.pick(rng, v) if isinstance(v, tuple) else v
            elif f == "tanggal_peristiwa":
                v = _date_cell(event_date, style, xlsx)
            elif f == "negara":
                v = negara = Z.pick(rng, PMI_COUNTRIES)
            elif f == "perkara":
                v = Z.pick(rng, LAPAS_CASES)
            elif f == "nrp":
                v = f"{int(rng.integers(10_000_000, 99_999_999))}"
            elif f == "pangkat":
                ranks = TNI_RANKS if tni_kind == 1 else POLRI_RANKS
                v = ranks[0] if jenis.startswith("masuk") else ranks[int(rng.integers(4, len(ranks)))]
            elif f == "kesatuan":
                v = Z.pick(rng, TNI_UNITS if tni_kind == 1 else POLRI_UNITS)
            elif f == "keterangan":
                v = ""
            elif f == "perumahan":
                v = estate_cell
            elif f == "lapas":
                v = str(r.lapas)
            else:
                raise KeyError(f"unknown field {f!r} in agency {agency}")
            cells.append(v)
        data.append(cells)
        truth.append({
            "agency": agency, "jenis_peristiwa": jenis, "tanggal_peristiwa": event_date.isoformat(),
            "person_id": str(r.person_id), "roll_id": str(r.roll_id), "kategori": str(r.kategori),
            "sub_kategori": str(r.sub), "noise": tokens + (["late_report"] if r.late else []),
            "event_id": str(r.event_id), "di_roll": int(r.di_roll), "negara": negara,
            "nama_perumahan": estate if "perumahan" in fields else "",
        })

    # Duplicate rows (copied, right below or a little further down) and unusable rows.
    out_cells: list[list] = []
    out_truth: list[dict] = []
    numbers: list[int | None] = []
    for i, (cells, t) in enumerate(zip(data, truth)):
        out_cells.append(cells)
        out_truth.append(t)
        numbers.append(i + 1)
        if rng.random() < rates["duplicate_row"]:
            out_cells.append(list(cells))
            out_truth.append({**t, "noise": t["noise"] + ["duplicate_row"]})
            numbers.append(i + 1)
    n_junk = int(rng.binomial(max(len(out_cells), 1), rates["unusable"])) if out_cells else 0
    for _ in range(n_junk):
        pos = int(rng.integers(0, len(out_cells) + 1))
        kind = int(rng.integers(0, 3))
        if kind == 0:
            junk = [""] * len(fields)
        elif kind == 1:
            junk = [Z.pick(rng, ("-", "#N/A", "0", "TIDAK ADA DATA", "x")) if f in ("nama", "nik") else ""
                    for f in fields]
        else:
            junk = list(header)  # header repeated (sheets pasted together)
        out_cells.insert(pos, junk)
        out_truth.insert(pos, {"agency": agency, "jenis_peristiwa": "", "tanggal_peristiwa": "", "person_id": "",
                               "roll_id": "", "kategori": "", "sub_kategori": "", "noise": ["unusable"],
                               "event_id": "", "di_roll": 0})
        numbers.insert(pos, None)
    if out_cells and rng.random() < 0.3:  # a total row at the bottom
        junk = [""] * len(fields)
        junk[0] = "JUMLAH"
        junk[-1] = str(len(data))
        out_cells.append(junk)
        out_truth.append({"agency": agency, "jenis_peristiwa": "", "tanggal_peristiwa": "", "person_id": "",
                          "roll_id": "", "kategori": "", "sub_kategori": "", "noise": ["unusable"],
                          "event_id": "", "di_roll": 0})
        numbers.append(None)
    if "no" in fields:
        j = fields.index("no")
        for cells, num in zip(out_cells, numbers):
            if num is not None:
                cells[j] = num if xlsx else str(num)
            elif cells[j] is None:
                cells[j] = ""
    for b, t in enumerate(out_truth, start=1):
        t["berkas"] = fname
        t["baris"] = b
        t["noise"] = ";".join(t["noise"])
    return header, out_cells, out_truth


def write_file(path: Path, agency: str, header: list[str], cells: list[list]) -> None:
    spec = AGENCIES[agency]
    path.parent.mkdir(parents=True, exist_ok=True)
    if spec["format"] == "xlsx":
        write_xlsx(path, spec.get("sheet", "Sheet1"), header, cells)
    else:
        buf = io.StringIO(newline="")
        w = csv.writer(buf, delimiter=spec["sep"], lineterminator=spec["newline"])
        w.writerow(header)
        w.writerows([["" if v is None else v for v in row] for row in cells])
        path.write_bytes(buf.getvalue().encode(spec["encoding"], errors="replace"))


def write_xlsx(path: Path, sheet: str, header: list[str], cells: list[list]) -> None:
    write_workbook(path, [Sheet(sheet, header, cells)], creator="pdpb synth")

