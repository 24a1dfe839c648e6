"""The month's published files: recap, roll per kecamatan, change list, review queue, the
agency lists (``daftar``: a workbook and a CSV per list, restricted parts as CSV in ``terbatas/``)
and the audit page (``audit/index.html``, ``output.audit``).

Everything lands under ``PDPB_OUTPUT_DIR/<regency>/<YYYY-MM>/`` with a ``manifest.json`` of
checksums: ``{file: {sha256, baris}}``, plus the month's quality figures under the key ``mutu``
(``QUALITY_KEY``, never a file name: every file has an extension; ``roll.mutu``). NIK and NKK
are masked in every file (``nik.mask``, rule ``PDPB_MASK_KEEP``); birth dates are not published
(age is). The same month gives the same bytes on every re-run.

The files are written into a temporary sibling and put into place whole (``atomic_folder``):
killed at any instant, the month's folder is the previous complete publication or the new one.
Text in the CSVs is made safe to open in a spreadsheet (``fastio.formula_safe``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from concurrent.futures import ThreadPoolExecutor
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import atomic_folder, audit
from ..daftar.spec import DaftarSpec, counts_per_group
from ..domain import regions
from .fastio import formula_safe, write_csv
from ..domain.nik import mask_series
from ..roll.recap import LEVEL_KEYS, desa_with_total, roll_up, with_units
from ..roll.eligibility import age_on
from .xlsx import Sheet, chunks, write_workbook

BULAN = ("JANUARI", "FEBRUARI", "MARET", "APRIL", "MEI", "JUNI", "JULI", "AGUSTUS", "SEPTEMBER", "OKTOBER",
         "NOVEMBER", "DESEMBER")
#: Order of the published roll (within a kecamatan: desa, RW, RT, address, name).
ROLL_ORDER = ["kode_desa", "rw", "rt", "alamat", "nama", "id"]
#: The month's sub-folder of restricted files (for the registry, not the public): no NIK or NKK.
RESTRICTED = "terbatas"
#: Threads writing the published files (see ``_Writers``): the machine's two cores.
WRITERS = 2
#: The manifest's key of the quality figures (``roll.mutu``); every other key is a file.
QUALITY_KEY = "mutu"
ROLL_COLUMNS = ("id", "nik", "nkk", "nama", "jenis_kelamin", "usia", "status_kawin", "alamat", "rt", "rw",
                "kode_desa", "desa")


def period(month: str) -> str:
    year, mon = month.split("-")
    return f"{BULAN[int(mon) - 1]} {year}"


def _slug(text: str) -> str:
    return re.sub(r"[^A-Z0-9]+", "_", text.upper()).strip("_")


def _csv(frame: pd.DataFrame, path: Path) -> None:
    """UTF-8 CSV with minimal quoting, as pandas writes it, several times faster; text that a
    spreadsheet would run as a formula is neutralised (``formula_safe``), numbers are left alone."""
    write_csv(path, {c: _text(frame.iloc[:, i]) for i, c in enumerate(frame.columns)})


def _text(values: pd.Series) -> list[str]:
    """A column as CSV text: ``str`` of each value, ``""`` where it is missing; text values
    (``str``, not numbers or dates) made formula-safe."""
    array = values.to_numpy()
    if array.dtype == object and pd.api.types.infer_dtype(array, skipna=False) == "string":
        return formula_safe(array.tolist())  # nothing missing, nothing to convert: the roll's text columns
    if (pd.api.types.is_integer_dtype(values) or pd.api.types.is_bool_dtype(values)
            or pd.api.types.is_datetime64_any_dtype(values)):
        # Equal values print alike here: each distinct value is printed once (ages, counts).
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        printed = pd.Series(uniques).astype(object).astype(str).tolist() + [""]
        return np.array(printed, dtype=object)[codes].tolist()
    objects = values.astype(object).where(values.notna(), "")
    printed = objects.astype(str).tolist()
    kind = pd.api.types.infer_dtype(objects, skipna=True)
    if kind == "string":
        return formula_safe(printed)
    if kind.startswith("mixed"):  # text among numbers: only the text is neutralised
        safe = formula_safe(printed)
        return [s if isinstance(v, str) else p for v, s, p in zip(objects.tolist(), safe, printed)]
    return printed


RECAP_TITLE = "LAMPIRAN BERITA ACARA REKAPITULASI DAFTAR PEMILIH BERKELANJUTAN"
#: The sheets of a regency's recap above the desa (sheet name -> ``recap.LEVEL_KEYS`` level).
REGENCY_LEVELS = {"Kabupaten": "kabupaten", "Kecamatan": "kecamatan"}


def _title(regency: str, month: str, what: str) -> list[str]:
    return [what, f"KPU {regions.regency_name(regency).upper()} ({regency})", f"PERIODE {period(month)}"]


def publish(
    folder: Path,
    regency: str,
    month: str,
    reference: dt.date,
    roll: pd.DataFrame,
    recap_desa: pd.DataFrame,
    changes: pd.DataFrame,
    queue: pd.DataFrame,
    lists: Sequence[tuple[DaftarSpec, Mapping[str, pd.DataFrame]]] = (),
    mutu: dict | None = None,
    sources: audit.Sources | None = None,
) -> dict[str, dict]:
    """Writes every file of the month into ``folder``, replacing what was there as a whole (see
    the module text); returns ``{relative path: {sha256, rows}}``, the files of the manifest,
    which also carries ``mutu`` (the quality figures) when given. Only once this returns is the
    publication in place, so only then may it be recorded in the warehouse. ``lists``: each
    agency list's spec and stored parts (``write_lists``); ``sources``: what the audit page
    (``audit.PAGE``) reads besides (the month's link evidence; none: the page without it)."""
    atomic_folder.recover(folder.parent)  # what a killed publication of this regency left
    with atomic_folder.replacing(folder) as staging:
        return _write_files(staging, regency, month, reference, roll, recap_desa, changes, queue, lists, mutu,
                            sources)


def publish_rollup(folder: Path, tag: str, title: list[str], recap_desa: pd.DataFrame, levels: dict[str, str],
                   members: pd.DataFrame | None = None) -> dict[str, dict]:
    """Writes a roll-up's recap (a regency's quarter or half-year, a province, the nation) into
    ``folder`` as the month's recap is written (``_recap_files``: the same Berita Acara layout,
    ``levels``: sheet name -> ``recap.LEVEL_KEYS`` level, then the Desa sheet), with the
    regencies it covers and those missing (``members``, sheet and CSV ``kelengkapan``), put into
    place whole like a month's folder; returns the manifest."""
    atomic_folder.recover(folder.parent)
    with atomic_folder.replacing(folder) as staging:
        return _written(staging, lambda writing: _recap_files(writing, tag, title, recap_desa, levels, members))


def _write_files(
    folder: Path,
    regency: str,
    month: str,
    reference: dt.date,
    roll: pd.DataFrame,
    recap_desa: pd.DataFrame,
    changes: pd.DataFrame,
    queue: pd.DataFrame,
    lists: Sequence[tuple[DaftarSpec, Mapping[str, pd.DataFrame]]] = (),
    mutu: dict | None = None,
    sources: audit.Sources | None = None,
) -> dict[str, dict]:
    def fill(writing: _Writers) -> None:
        _write_all(writing, regency, month, reference, roll, recap_desa, changes, queue,
                   (sources or audit.Sources()).closed_niks)
        write_lists(writing, regency, month, lists)
        writing.text(audit.PAGE, len(changes),
                     lambda: audit.page(regency, month, reference, roll, recap_desa, changes, queue, sources))

    return _written(folder, fill, mutu)


def _written(folder: Path, fill, mutu: dict | None = None) -> dict[str, dict]:
    """``fill(writing)`` asks for the files (``_Writers``); then ``manifest.json`` of them all
    (with the quality figures ``mutu`` when given)."""
    folder.mkdir(parents=True, exist_ok=True)
    with _Writers(folder) as writing:
        fill(writing)
    manifest = {name: {"sha256": sha, "baris": rows} for name, (sha, rows) in sorted(writing.done.items())}
    listed = {**manifest, QUALITY_KEY: mutu} if mutu is not None else manifest
    (folder / "manifest.json").write_text(json.dumps(listed, indent=2, sort_keys=True) + "\n")
    return manifest


def manifest_files(listed: dict) -> dict[str, dict]:
    """The files of a ``manifest.json`` as read back (its ``mutu`` section left out)."""
    return {name: entry for name, entry in listed.items() if name != QUALITY_KEY}


class _Writers:
    """Writes the files on ``WRITERS`` threads, each file whole by one thread, and collects each
    file's checksum and row count. Compressing (zlib), hashing and writing let go of the GIL, so
    one file is compressed while the next one's text is built: the two cores share the work,
    and every file has the same bytes as written one after the other. The first error is raised
    once every file begun is closed; no file is begun after an error (one more may be under way
    on the other thread)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.done: dict[str, tuple[str, int]] = {}
        self._jobs: list = []
        self.failed = False

    def __enter__(self) -> "_Writers":
        self._pool = ThreadPoolExecutor(max_workers=WRITERS, thread_name_prefix="publikasi")
        return self

    def _submit(self, name: str, rows: int, write) -> None:
        def job() -> None:
            if self.failed:
                return  # another file failed: the publication is given up, nothing more is begun
            path = self.folder / name
            try:
                write(path)
            except BaseException:
                self.failed = True
                raise
            self.done[name] = (_sha256(path), rows)
        self._jobs.append(self._pool.submit(job))

    def csv(self, name: str, frame: pd.DataFrame) -> None:
        self._submit(name, len(frame), lambda path: _csv(frame, path))

    def text(self, name: str, rows: int, content) -> None:
        """A UTF-8 text file whose content ``content()`` makes (on the writer's thread)."""
        def write(path: Path) -> None:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content().encode("utf-8"))
        self._submit(name, rows, write)

    def workbook(self, name: str, rows: int, sheets: list[Sheet]) -> None:
        self._submit(name, rows, lambda path: write_workbook(path, sheets))

    def __exit__(self, kind, error, trace) -> None:
        try:
            if error is None:
                for job in self._jobs:
                    job.result()  # the first error, in the order the files were asked for
        finally:
            self._pool.shutdown(wait=True, cancel_futures=True)


def _write_all(
    writing: _Writers,
    regency: str,
    month: str,
    reference: dt.date,
    roll: pd.DataFrame,
    recap_desa: pd.DataFrame,
    changes: pd.DataFrame,
    queue: pd.DataFrame,
    closed_niks: pd.Series,
) -> None:
    """``closed_niks``: the NIK of the versions the month closed (``audit.change_niks``), so a
    removed voter's change row names them too (masked)."""
    tag = f"{regency}_{month}"
    _recap_files(writing, tag, _title(regency, month, RECAP_TITLE), recap_desa, REGENCY_LEVELS)

    # The roll, per kecamatan, masked: sorted once (kode_desa starts with the kecamatan code,
    # so each kecamatan is one run of the sorted roll), then cut into runs.
    names = {d.code: d for d in regions.desa_of(regency)}
    public, position = _public_roll(roll, reference, names)
    codes, desa = pd.factorize(public["kode_desa"])
    kecamatan_of = np.array([str(c)[:8] for c in desa], dtype=object)[codes]
    cuts = np.flatnonzero(kecamatan_of[1:] != kecamatan_of[:-1]) + 1
    for start, end in zip([0, *cuts.tolist()], [*cuts.tolist(), len(public)]):
        if start == end:
            continue  # an empty roll
        # The kecamatan's name from its first voter in the roll's own order, as it always was.
        first = roll["kode_desa"].iloc[int(position[start:end].min())]
        name = names[first].kecamatan_name if first in names else "LAIN"
        stem = f"dpb/dpb_{kecamatan_of[start]}_{_slug(name)}_{month}"
        part = public.iloc[start:end]
        writing.csv(f"{stem}.csv", part)
        writing.workbook(f"{stem}.xlsx", len(part), [
            Sheet(f"DPB {i + 1}" if i else "DPB", list(part.columns), chunk,
                  _title(regency, month, f"DAFTAR PEMILIH BERKELANJUTAN KECAMATAN {name}"))
            for i, chunk in enumerate(chunks(part))
        ])

    # The change list and the review queue (what field officers check), masked.
    nik = audit.change_niks(roll, changes, closed_niks)
    change_list = changes.assign(nik=mask_series(nik), probability=_round4(changes["probability"]))
    writing.csv(f"perubahan_{tag}.csv", change_list)
    queue_out = queue.assign(
        nik=mask_series(queue["nik"]), nkk=mask_series(queue["nkk"]),
        usia=age_on(queue["tanggal_lahir"], reference).astype("Int64"),
        probability=_round4(queue["probability"]), hasil_coktas="",
    ).drop(columns=["tanggal_lahir"])
    writing.csv(f"antrean_coktas_{tag}.csv", queue_out)
    writing.workbook(f"antrean_coktas_{tag}.xlsx", len(queue_out), [
        Sheet("Antrean coktas", list(queue_out.columns), queue_out,
              _title(regency, month, "DAFTAR PEMERIKSAAN LAPANGAN (COKLIT TERBATAS)"))
    ])


def write_lists(writing: _Writers, regency: str, month: str,
                lists: Sequence[tuple[DaftarSpec, Mapping[str, pd.DataFrame]]]) -> None:
    """Each agency list as ``<stem>_<regency>_<month>.xlsx`` (a summary sheet of counts per
    group and part, then a sheet per public part) and ``.csv`` (the public parts stacked, first
    column ``bagian``), NIK and NKK masked; each restricted part as
    ``terbatas/<restricted_stem>_<regency>_<month>.csv`` with no NIK or NKK column at all. A
    month in which a list has no rows publishes nothing of it, unless the list says
    ``publish_empty``."""
    tag = f"{regency}_{month}"
    for spec, frames in lists:
        if not spec.publish_empty and not any(len(frames[b.name]) for b in spec.parts):
            continue
        public = [b for b in spec.parts if not b.restricted_stem]
        shown = {b.name: _list_part(frames[b.name], b.columns) for b in public}
        stacked = _whole_numbers(_stacked(public, shown))
        writing.csv(f"{spec.stem}_{tag}.csv", stacked)
        summary = counts_per_group(spec, frames)
        writing.workbook(f"{spec.stem}_{tag}.xlsx", len(stacked), [
            Sheet("Ringkasan", list(summary.columns), summary, _title(regency, month, spec.title)),
            *(Sheet(b.title, list(shown[b.name].columns), shown[b.name],
                    _title(regency, month, f"{spec.title}: {b.title.upper()}")) for b in public)])
        for b in spec.parts:
            if b.restricted_stem:
                columns = [c for c in b.columns if not _identifier(c)]
                writing.csv(f"{RESTRICTED}/{b.restricted_stem}_{tag}.csv", _list_part(frames[b.name], columns))


def _identifier(column: str) -> bool:
    """A NIK or NKK column of a list (``nik``, ``nkk``, ``dpb_nik``...)."""
    return column.rsplit("_", 1)[-1] in ("nik", "nkk")


def _stacked(parts, shown: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """The public parts one under the other, first column ``bagian``, every part's columns in
    order; parts with no rows add only their columns (concatenating empty frames would let them
    decide the columns' types)."""
    frames = [pd.DataFrame({"bagian": pd.Series([b.name] * len(shown[b.name]), dtype=object)})
              .join(shown[b.name].reset_index(drop=True)) for b in parts]
    columns = list(dict.fromkeys(c for f in frames for c in f.columns))
    filled = [f for f in frames if len(f)]
    if not filled:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    return pd.concat(filled, ignore_index=True).reindex(columns=columns)


def _list_part(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """A list's part as published: its columns (not the internal ``feed_id``), every NIK and NKK
    column masked, whole numbers (ages, row numbers) as whole numbers."""
    out = frame.reindex(columns=list(columns)).reset_index(drop=True)
    for name in out.columns:
        if _identifier(name):
            out[name] = mask_series(out[name].fillna("").astype(str))
    return _whole_numbers(out)


def _whole_numbers(frame: pd.DataFrame) -> pd.DataFrame:
    """Float columns holding only whole numbers and blanks (a part without a row number, stacked
    with one that has it) as integers with blanks: ``6``, not ``6.0``."""
    for name in frame.columns:
        values = frame[name]
        if pd.api.types.is_float_dtype(values) and bool(((values % 1 == 0) | values.isna()).all()):
            frame[name] = values.astype("Int64")
    return frame


def _recap_files(writing: _Writers, tag: str, title: list[str], recap_desa: pd.DataFrame, levels: dict[str, str],
                 members: pd.DataFrame | None = None) -> None:
    """The recap, one sheet per level laid out as the Berita Acara attachment (``levels``: sheet
    name -> ``recap.LEVEL_KEYS`` level, then the Desa sheet), and the desa sheet as CSV; with
    ``members``, a Kelengkapan sheet and CSV: every regency covered, and the months each lacks."""
    desa = desa_with_total(recap_desa)
    units = with_units(recap_desa) if any(LEVEL_KEYS[lv] and lv != "kecamatan" for lv in levels.values()) else recap_desa
    sheets = {name: roll_up(units, level) for name, level in levels.items()} | {"Desa": desa}
    pages = [Sheet(name, list(frame.columns), frame, title) for name, frame in sheets.items()]
    if members is not None:
        listed = members_sheet(members)
        pages.append(Sheet("Kelengkapan", list(listed.columns), listed, title))
        writing.csv(f"kelengkapan_{tag}.csv", listed)
    writing.workbook(f"rekap_{tag}.xlsx", len(desa), pages)
    writing.csv(f"rekap_desa_{tag}.csv", desa)


def members_sheet(members: pd.DataFrame) -> pd.DataFrame:
    """The regencies a roll-up covers: code, name, ``dijumlahkan`` (summed in) or ``belum lengkap``
    (left out, never counted as 0), and the months not yet published."""
    return pd.DataFrame({
        "kode_kabupaten": members["regency"],
        "kabupaten": [regions.unit_name(c) for c in members["regency"]],
        "status": np.where(members["lengkap"].astype(bool), "dijumlahkan", "belum lengkap: tidak dijumlahkan"),
        "bulan_belum_terbit": members["bulan_kurang"],
    })


def _public_roll(roll: pd.DataFrame, reference: dt.date, names: dict) -> tuple[pd.DataFrame, np.ndarray]:
    """The published columns of the roll in published order, and each row's position in ``roll``.

    Voters without a kode_desa have no kecamatan to be filed under and are left out.
    """
    text = {c: _arrow_text(roll[c]) for c in ROLL_ORDER}
    position = _order(roll, ROLL_ORDER, text)
    position = position[roll["kode_desa"].notna().to_numpy()[position]]
    column = {c: _take(roll[c], position, text.pop(c, None))  # each arrow copy let go once used
              for c in ROLL_COLUMNS if c not in ("nik", "nkk", "usia", "desa")}
    for c in ("nik", "nkk"):  # masked in the roll's own order (reading the NIKs in sequence)
        column[c] = _take(mask_series(roll[c]), position)
    born = roll["tanggal_lahir"].iloc[position].reset_index(drop=True)
    column["usia"] = age_on(born, reference).astype("Int64")
    codes, desa = pd.factorize(column["kode_desa"])
    column["desa"] = np.array([names[c].name if c in names else "" for c in desa], dtype=object)[codes]
    # Not consolidated into one block (a copy): the frame is only sliced and read.
    return pd.DataFrame({c: column[c] for c in ROLL_COLUMNS}, copy=False), position


def _arrow_text(values: pd.Series) -> pa.Array | None:
    """The column as arrow text, or None when it holds anything but str and missing values."""
    if pd.api.types.infer_dtype(values, skipna=True) not in ("string", "empty"):
        return None
    try:
        return pa.array(values.to_numpy(), type=pa.large_string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None


def _order(frame: pd.DataFrame, keys: list[str], text: dict[str, pa.Array | None]) -> np.ndarray:
    """Positions of ``frame`` stably sorted by ``keys``, missing values last.

    Arrow sorts a million-row roll in a fraction of what ``sort_values`` needs (UTF-8 byte order
    is code point order, Python's order for str); a key that is not text is sorted by pandas.
    """
    if any(text[k] is None for k in keys):
        return frame.reset_index(drop=True).sort_values(keys, kind="stable").index.to_numpy()
    table = pa.table({k: text[k] for k in keys})
    return pc.sort_indices(table, sort_keys=[(k, "ascending") for k in keys]).to_numpy()


def _take(values: pd.Series, position: np.ndarray, text: pa.Array | None = None) -> np.ndarray:
    """The values at ``position``; for a text column, str objects that later passes read in order.

    Gathering the roll's own str objects in sorted order would make every later pass (type
    checks, escaping, joining rows) jump across the whole roll's memory for each value, several
    times slower per pass at 1M rows. So a column of repeated values (RT, RW, desa, sex) spreads one
    shared str per distinct value, and a text column already in arrow is laid out anew.
    """
    array = values.to_numpy()
    if array.dtype != object or pd.api.types.infer_dtype(array, skipna=False) != "string":
        return array[position]
    sample = array[:4096]
    if len(pd.unique(sample)) * 4 <= len(sample):
        if text is not None:
            coded = text.dictionary_encode()
            return coded.dictionary.to_numpy(zero_copy_only=False)[coded.indices.to_numpy()[position]]
        codes, uniques = pd.factorize(array)
        return np.asarray(uniques, dtype=object)[codes[position]]
    if text is not None:
        return text.take(pa.array(position)).to_numpy(zero_copy_only=False)
    return array[position]


def _round4(values: pd.Series) -> pd.Series:
    """Probabilities to 4 decimals, written short (``0.9924``, never ``0.9923999999999999``)."""
    return pd.to_numeric(values, errors="coerce").map(lambda v: None if pd.isna(v) else float(f"{v:.4f}"))


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
