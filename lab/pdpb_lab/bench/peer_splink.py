"""Splink 5 (DuckDB) on the ``pdpb link`` file contract: the peer of the benchmark.

    python -m pdpb_lab.bench.peer_splink FEED.csv ROLL.csv LINKS.csv [--upper 0.99 --lower 0.5]

The model is written the way the Splink documentation teaches, with nothing of our engine in it:

* light cleaning only (what any Splink user does first): upper case, punctuation and extra spaces
  out of names and addresses, digits only in NIK/NKK, dates to ISO; a first and a last name token,
  the name's words sorted and the birth year as derived columns;
* comparisons from ``splink.comparison_library`` / ``comparison_level_library``: NIK exact /
  Damerau-Levenshtein 1 / 2; name exact (with term-frequency adjustment), the same words in
  another order, Jaro-Winkler 0.92 / 0.88 (on the name or its sorted words) / 0.70;
  birth date by ``DateOfBirthComparison``; sex exact; birth place exact (with term frequencies);
  household: the same NKK, else desa + RT/RW with a similar address, desa with a similar
  address or the same RT/RW, desa only, a similar address in another desa. A comparison whose column is empty on a side is left out;
* the prior from deterministic rules (same NIK and birth date, same name, birth date and desa;
  recall assumed 0.8), u by random sampling (10 million pairs), m by EM on two training blocks
  (same NIK; same birth date);
* prediction blocked on NIK, first name + birth date, last name + birth date, birth date + desa,
  NKK, name + desa and the sorted words of the name + birth year; the best candidate of each feed row is kept:
  ``match`` at p >= upper, ``review`` at lower <= p < upper.

Output columns: feed_id, roll_id, probability, decision, match_weight (a feed row not in the
output is a non-match), as ``pdpb link`` writes them.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path

import pandas as pd

MISSING = ("Splink is not installed: the benchmark's peer is the lab's optional extra. Install it with "
           "`pip install -e './lab[splink]'` from a checkout (or `make install`), or `pip install 'pdpb-lab[splink]'`.")

COLUMNS = ("id", "nik", "nkk", "nama", "tempat_lahir", "tanggal_lahir", "jenis_kelamin",
           "alamat", "rt", "rw", "kode_desa")


def require_splink():
    """The splink module, or an ImportError that says how to install it."""
    try:
        import splink  # noqa: F401
        from splink import DuckDBAPI  # noqa: F401
    except ImportError as error:
        raise ImportError(MISSING) from error
    return splink


def _read(path) -> pd.DataFrame:
    from pdpb_pipeline.linkage.files import read_canonical_csv  # reading the file contract; nothing of the engine

    return read_canonical_csv(path, COLUMNS)


def _text(s: pd.Series) -> pd.Series:
    s = s.str.upper().str.replace(r"[^0-9A-Z ]+", " ", regex=True)
    s = s.str.replace(r"\s+", " ", regex=True).str.strip()
    return s.where(s != "")


def _digits(s: pd.Series) -> pd.Series:
    s = s.str.replace(r"\D+", "", regex=True)
    # an id of one repeated digit (0000000000000000) is a placeholder, not an id
    return s.where((s != "") & ~s.str.fullmatch(r"(\d)\1*"))


def _dates(s: pd.Series) -> pd.Series:
    s = s.str.strip()
    iso = pd.to_datetime(s, format="%Y-%m-%d", errors="coerce")
    other = pd.to_datetime(s.where(iso.isna()), errors="coerce", dayfirst=True, format="mixed")
    d = iso.fillna(other)
    return d.dt.strftime("%Y-%m-%d").where(d.notna())


def clean(frame: pd.DataFrame) -> pd.DataFrame:
    """The canonical columns as Splink input (None where empty)."""
    nama = _text(frame["nama"])
    tokens = nama.str.split(" ")
    out = pd.DataFrame({
        "unique_id": frame["id"].astype(str),
        "nik": _digits(frame["nik"]),
        "nkk": _digits(frame["nkk"]),
        "nama": nama,
        "nama_depan": tokens.str[0],
        "nama_akhir": tokens.str[-1],
        "nama_urut": tokens.map(lambda t: " ".join(sorted(t)) if isinstance(t, list) else None),
        "tanggal_lahir": _dates(frame["tanggal_lahir"]),
        "jenis_kelamin": _text(frame["jenis_kelamin"]).str[:1],
        "tempat_lahir": _text(frame["tempat_lahir"]),
        "alamat": _text(frame["alamat"]),
        "rt": _digits(frame["rt"]).str.lstrip("0"),
        "rw": _digits(frame["rw"]).str.lstrip("0"),
        "kode_desa": frame["kode_desa"].str.strip().replace("", None),
    })
    out["tahun_lahir"] = out["tanggal_lahir"].str[:4]
    return out.astype(object).where(out.notna(), None)


def _household(cl, cll, have: set[str]):
    """Same NKK; desa + RT/RW + similar address; desa + (similar address or RT/RW); desa."""
    levels = []
    if "nkk" in have and "kode_desa" in have:
        levels.append(cll.And(cll.NullLevel("nkk"), cll.NullLevel("kode_desa")))
    elif "kode_desa" in have:
        levels.append(cll.NullLevel("kode_desa"))
    else:
        levels.append(cll.NullLevel("nkk"))
    if "nkk" in have:
        levels.append(cll.ExactMatchLevel("nkk"))
    if "kode_desa" in have:
        desa = cll.ExactMatchLevel("kode_desa")
        rtrw = cll.And(cll.ExactMatchLevel("rt"), cll.ExactMatchLevel("rw")) if "rt" in have else None
        if "alamat" in have:
            addr = cll.JaroWinklerLevel("alamat", 0.9)
            levels.append(cll.And(desa, rtrw, addr) if rtrw else cll.And(desa, addr))
            if rtrw:
                levels.append(cll.And(desa, cll.Or(addr, rtrw)))
        elif rtrw:
            levels.append(cll.And(desa, rtrw))
        levels.append(desa)
    if "alamat" in have:  # a similar address with another (or a mistyped) desa code
        levels.append(cll.JaroWinklerLevel("alamat", 0.9))
    levels.append(cll.ElseLevel())
    return cl.CustomComparison(comparison_levels=levels, output_column_name="rumah_tangga",
                               comparison_description="household: NKK, desa, RT/RW, address")


def _name(cl, cll):
    """Name: exact (with term frequencies), the same words in another order, Jaro-Winkler
    0.92 on the name or on its sorted words, 0.88, 0.70 (``NameComparison``'s thresholds)."""
    return cl.CustomComparison(comparison_levels=[
        cll.NullLevel("nama"),
        cll.ExactMatchLevel("nama", term_frequency_adjustments=True),
        cll.ExactMatchLevel("nama_urut"),
        cll.Or(cll.JaroWinklerLevel("nama", 0.92), cll.JaroWinklerLevel("nama_urut", 0.92)),
        cll.Or(cll.JaroWinklerLevel("nama", 0.88), cll.JaroWinklerLevel("nama_urut", 0.88)),
        cll.JaroWinklerLevel("nama", 0.70),
        cll.ElseLevel(),
    ], output_column_name="nama", comparison_description="name: exact, word order, Jaro-Winkler")


def settings(have: set[str]):
    """The Splink settings: comparisons of the columns present on both sides, blocking rules."""
    require_splink()
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    comparisons = []
    if "nik" in have:
        comparisons.append(cl.DamerauLevenshteinAtThresholds("nik", [1, 2]))
    comparisons.append(_name(cl, cll))
    if "tanggal_lahir" in have:
        comparisons.append(cl.DateOfBirthComparison("tanggal_lahir", input_is_string=True,
                                                    datetime_format="%Y-%m-%d"))
    if "jenis_kelamin" in have:
        comparisons.append(cl.ExactMatch("jenis_kelamin"))
    if "tempat_lahir" in have:
        comparisons.append(cl.ExactMatch("tempat_lahir").configure(term_frequency_adjustments=True))
    if have & {"nkk", "kode_desa"}:
        comparisons.append(_household(cl, cll, have))
    elif "alamat" in have:
        comparisons.append(cl.JaroWinklerAtThresholds("alamat", [0.9, 0.8]))
    rules = []
    if "nik" in have:
        rules.append(block_on("nik"))
    if "tanggal_lahir" in have:
        rules += [block_on("nama_depan", "tanggal_lahir"), block_on("nama_akhir", "tanggal_lahir")]
        if "kode_desa" in have:
            rules.append(block_on("tanggal_lahir", "kode_desa"))
    if "nkk" in have:
        rules.append(block_on("nkk"))
    if "kode_desa" in have:
        rules.append(block_on("nama", "kode_desa"))
    if "tanggal_lahir" in have:
        rules.append(block_on("nama_urut", "tahun_lahir"))
    return SettingsCreator(link_type="link_only", comparisons=comparisons,
                           blocking_rules_to_generate_predictions=rules,
                           retain_intermediate_calculation_columns=False,
                           retain_matching_columns=False)


def link_files_splink(feed_csv, roll_csv, out_csv, upper: float = 0.99, lower: float = 0.5,
                      u_pairs: float = 1e7, seed: int = 1) -> dict:
    """Splink's links of ``feed_csv`` to ``roll_csv``, written to ``out_csv``; returns counts."""
    require_splink()
    from splink import DuckDBAPI, Linker, block_on

    t0 = time.perf_counter()
    feed, roll = clean(_read(feed_csv)), clean(_read(roll_csv))
    have = {c for c in ("nik", "nkk", "tanggal_lahir", "jenis_kelamin", "tempat_lahir", "alamat",
                        "rt", "kode_desa") if feed[c].notna().any() and roll[c].notna().any()}
    db = DuckDBAPI()
    linker = Linker([db.register(feed, dataset_display_name="feed"),
                     db.register(roll, dataset_display_name="roll")], settings(have),
                    log_level=logging.WARNING)
    t1 = time.perf_counter()
    deterministic = []
    if "nik" in have and "tanggal_lahir" in have:
        deterministic.append(block_on("nik", "tanggal_lahir"))
    if "tanggal_lahir" in have and "kode_desa" in have:
        deterministic.append(block_on("nama", "tanggal_lahir", "kode_desa"))
    elif "tanggal_lahir" in have:
        deterministic.append(block_on("nama", "tanggal_lahir"))
    linker.training.estimate_probability_two_random_records_match(deterministic, recall=0.8)
    linker.training.estimate_u_using_random_sampling(max_pairs=u_pairs, seed=seed)
    for rule in (("nik",) if "nik" in have else ("nama",)), ("tanggal_lahir",):
        if rule == ("tanggal_lahir",) and "tanggal_lahir" not in have:
            continue
        linker.training.estimate_parameters_using_expectation_maximisation(block_on(*rule))
    t2 = time.perf_counter()
    pred = linker.inference.predict(threshold_match_probability=lower).as_pandas_dataframe()
    t3 = time.perf_counter()
    cols = ["feed_id", "roll_id", "probability", "decision", "match_weight"]
    if len(pred):
        left_is_feed = pred["source_dataset_l"] == "feed"
        pred["feed_id"] = pred["unique_id_l"].where(left_is_feed, pred["unique_id_r"])
        pred["roll_id"] = pred["unique_id_r"].where(left_is_feed, pred["unique_id_l"])
        best = (pred.sort_values(["feed_id", "match_weight"], ascending=[True, False])
                .drop_duplicates("feed_id"))
        out = pd.DataFrame({"feed_id": best["feed_id"], "roll_id": best["roll_id"],
                            "probability": best["match_probability"].round(6),
                            "decision": ["match" if p >= upper else "review" for p in best["match_probability"]],
                            "match_weight": best["match_weight"].round(2)})
    else:
        out = pd.DataFrame(columns=cols)
    Path(out_csv).parent.mkdir(parents=True, exist_ok=True)
    out.to_csv(out_csv, index=False, lineterminator="\n")
    d = out["decision"].value_counts()
    return {"feed_rows": len(feed), "roll_rows": len(roll), "match": int(d.get("match", 0)),
            "review": int(d.get("review", 0)), "non_match": len(feed) - len(out),
            "scored_pairs": len(pred), "comparisons": sorted(have),
            "prepare_seconds": round(t1 - t0, 2), "train_seconds": round(t2 - t1, 2),
            "predict_seconds": round(t3 - t2, 2),
            "prior": float(linker._settings_obj._probability_two_random_records_match)}


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("feed")
    p.add_argument("roll")
    p.add_argument("out")
    p.add_argument("--upper", type=float, default=0.99)
    p.add_argument("--lower", type=float, default=0.5)
    p.add_argument("--u-pairs", type=float, default=1e7)
    args = p.parse_args(argv)
    try:
        require_splink()
    except ImportError as error:
        print(f"error: {error}", file=sys.stderr)
        raise SystemExit(2) from None
    summary = link_files_splink(args.feed, args.roll, args.out, args.upper, args.lower, args.u_pairs)
    print(json.dumps(summary, default=float))


if __name__ == "__main__":
    main()
