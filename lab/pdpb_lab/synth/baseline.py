"""The baseline DPT: the last election's final list, with the faults real lists carry.

Rows are the eligible residents (17+ or married, not active TNI/Polri, not abroad), plus stale
entries (people who died or moved away before the baseline but are still listed) and ganda rows
in SIDALIH's three classes:

- ``identik_kecuali_alamat``: the same person listed again at another (older) address;
- ``nik_sama_nama_beda``: the same NIK with a differently spelled name;
- ``mirip``: similar identity elements (a mistyped NIK, name variant, same birth date).

NIK faults (placeholder, wrong serial, birth date disagreeing with the NIK, missing) and a few
name typos are spread over the other rows. Rows are ordered as a DPT is (desa, RW, RT,
family card) and numbered ``DPT-<regency>-0000001``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import noise as Z
from .config import SynthConfig
from pdpb_pipeline.output.fastio import pad3, prefixed_ids
from .places import Geo, addresses
from .population import MARITAL, MENINGGAL, PENDUDUK, PINDAH, Persons, eligible_at, format_nik

GANDA_CLASSES = ("identik_kecuali_alamat", "nik_sama_nama_beda", "mirip")


def person_ids(idx: np.ndarray) -> np.ndarray:
    return prefixed_ids("P", idx, 7)


@dataclass
class Baseline:
    dpt: pd.DataFrame  # canonical person columns, id first
    truth: pd.DataFrame  # roll_id, person_id, status, ganda_of, ganda_class, nik_noise, noise
    roll_id: np.ndarray  # per person: the DPT id of the person's (original) row, or ''
    listed: np.ndarray  # per person: has a DPT row


def build_baseline(cfg: SynthConfig, geo: Geo, P: Persons, rng: np.random.Generator) -> Baseline:
    base = np.datetime64(cfg.baseline_date, "D")
    n = len(P)
    elig = eligible_at(P, base)
    ok_mask = (P.status == PENDUDUK) & elig & (P.tni == 0)
    stale_mask = (P.status == MENINGGAL) | (P.status == PINDAH)
    listed_idx = np.flatnonzero(ok_mask | stale_mask)
    m = len(listed_idx)

    rows = {
        "person": listed_idx,
        "nik": format_nik(P.nik[listed_idx]),
        "nkk": P.nkk[listed_idx].copy(),
        "nama": P.nama[listed_idx].copy(),
        "tempat_lahir": P.tempat_lahir[listed_idx],
        "tanggal_lahir": P.birth[listed_idx].copy(),
        "jenis_kelamin": np.where(P.female[listed_idx], "P", "L").astype(object),
        "status_kawin": MARITAL[P.marital[listed_idx]],
        "alamat": P.alamat[listed_idx].copy(),
        "rt": P.rt[listed_idx].astype(np.int32),
        "rw": P.rw[listed_idx].astype(np.int32),
        "desa": P.desa[listed_idx].astype(np.int32),
    }
    status = np.where(P.status[listed_idx] == MENINGGAL, "stale_meninggal",
                      np.where(P.status[listed_idx] == PINDAH, "stale_pindah", "ok")).astype(object)
    nik_noise = np.full(m, "", dtype=object)
    other_noise = np.full(m, "", dtype=object)

    # NIK faults and name typos on disjoint random rows.
    shares = [("nik_placeholder", cfg.baseline_nik_placeholder), ("nik_wrong_serial", cfg.baseline_nik_wrong_serial),
              ("birthdate_mismatch", cfg.baseline_birthdate_mismatch), ("nik_missing", cfg.baseline_nik_missing)]
    u = rng.random(m)
    lo = 0.0
    for token, share in shares:
        sel = np.flatnonzero((u >= lo) & (u < lo + share))
        lo += share
        for i in sel:
            if token == "nik_placeholder":
                rows["nik"][i] = Z.nik_placeholder(rows["nik"][i], rng)
            elif token == "nik_wrong_serial":
                rows["nik"][i] = Z.nik_wrong_serial(rows["nik"][i], rng)
            elif token == "birthdate_mismatch":
                d = rows["tanggal_lahir"][i].astype(object)
                rows["tanggal_lahir"][i] = np.datetime64(Z.wrong_birthdate(d, rng), "D")
            else:
                rows["nik"][i] = ""
            nik_noise[i] = token
    typo = np.flatnonzero(rng.random(m) < cfg.baseline_name_typo)
    for i in typo:
        rows["nama"][i] = Z.name_typo(rows["nama"][i], rng)
        other_noise[i] = "name_typo"

    # Ganda rows, copied from clean ok rows.
    n_ganda = int(round(cfg.voters * cfg.ganda_share))
    clean_ok = np.flatnonzero((status == "ok") & (nik_noise == "") & (other_noise == ""))
    originals = np.sort(rng.choice(clean_ok, size=min(n_ganda, len(clean_ok)), replace=False))
    w = np.asarray(cfg.ganda_class_weights, dtype=float)
    gclass = rng.choice(3, size=len(originals), p=w / w.sum())
    g = {k: v[originals].copy() for k, v in rows.items()}
    g_noise = np.full(len(originals), "", dtype=object)
    # New addresses for some: another RT in the same desa, or another desa.
    move_desa = rng.random(len(originals)) < 0.5
    new_desa = np.where(move_desa, rng.choice(geo.n_desa, size=len(originals), p=geo.desa_weight), g["desa"])
    new_rw = 1 + rng.integers(0, P.n_rw[new_desa])
    new_rt = 1 + rng.integers(0, P.n_rt[new_desa])
    new_alamat = addresses(rng, geo, new_desa, new_rw, np.zeros(len(originals), bool))
    for j in range(len(originals)):
        c = gclass[j]
        relocate = c == 0 or (c == 1 and rng.random() < 0.3) or (c == 2 and rng.random() < 0.3)
        if relocate:
            if (new_desa[j], new_rw[j], new_rt[j]) == (g["desa"][j], g["rw"][j], g["rt"][j]):
                new_rt[j] = new_rt[j] % P.n_rt[new_desa[j]] + 1  # another RT at least
            g["desa"][j], g["rw"][j], g["rt"][j], g["alamat"][j] = new_desa[j], new_rw[j], new_rt[j], new_alamat[j]
            if rng.random() < 0.5:  # still on the old family card
                g["nkk"][j] = (g["nkk"][j] // 10000) * 10000 + int(rng.integers(1, 9999))
        if c == 1:
            g["nama"][j] = Z.name_variant(g["nama"][j], rng) if rng.random() < 0.7 else Z.name_typo(g["nama"][j], rng)
        elif c == 2:
            r = rng.random()
            if r < 0.5:
                g["nik"][j] = Z.nik_wrong_serial(g["nik"][j], rng)
            elif r < 0.8:
                i = int(rng.integers(6, 12))
                digit = str((int(g["nik"][j][i]) + int(rng.integers(1, 9))) % 10)
                g["nik"][j] = g["nik"][j][:i] + digit + g["nik"][j][i + 1:]
            else:
                g["nik"][j] = ""
            if rng.random() < 0.6:
                g["nama"][j] = Z.name_variant(g["nama"][j], rng)
    all_rows = {k: np.concatenate([rows[k], g[k]]) for k in rows}
    all_status = np.concatenate([status, np.full(len(originals), "ganda", dtype=object)])
    all_class = np.concatenate([np.full(m, "", dtype=object), np.array(GANDA_CLASSES, dtype=object)[gclass]])
    all_nik_noise = np.concatenate([nik_noise, np.full(len(originals), "", dtype=object)])
    all_noise = np.concatenate([other_noise, g_noise])
    orig_pos = np.concatenate([np.full(m, -1), originals])

    # DPT order: desa, RW, RT, family card, then the person (a ganda row sorts after others).
    tiebreak = np.concatenate([np.zeros(m), np.ones(len(originals))])
    order = np.lexsort((tiebreak, all_rows["person"], all_rows["nkk"],
                        all_rows["rt"], all_rows["rw"], all_rows["desa"]))
    total = len(order)
    ids_sorted = prefixed_ids(f"DPT-{geo.regency}-", np.arange(1, total + 1), 7)
    ids = np.empty(total, dtype=object)
    ids[order] = ids_sorted
    ganda_of = np.full(total, "", dtype=object)
    gsel = np.flatnonzero(orig_pos >= 0)
    ganda_of[gsel] = ids[orig_pos[gsel]]

    dpt = pd.DataFrame({
        "id": ids[order],
        "nik": all_rows["nik"][order],
        "nkk": format_nik(all_rows["nkk"][order]),
        "nama": all_rows["nama"][order],
        "tempat_lahir": all_rows["tempat_lahir"][order],
        "tanggal_lahir": all_rows["tanggal_lahir"][order],
        "jenis_kelamin": all_rows["jenis_kelamin"][order],
        "status_kawin": all_rows["status_kawin"][order],
        "alamat": all_rows["alamat"][order],
        "rt": pad3(all_rows["rt"][order]),
        "rw": pad3(all_rows["rw"][order]),
        "kode_desa": geo.desa_code[all_rows["desa"][order]],
    })
    truth = pd.DataFrame({
        "roll_id": ids[order],
        "person_id": person_ids(all_rows["person"][order]),
        "status": all_status[order],
        "ganda_of": ganda_of[order],
        "ganda_class": all_class[order],
        "nik_noise": all_nik_noise[order],
        "noise": all_noise[order],
    })
    roll_id = np.full(n, "", dtype=object)
    roll_id[listed_idx] = ids[:m]
    listed = np.zeros(n, bool)
    listed[listed_idx] = True
    return Baseline(dpt=dpt, truth=truth, roll_id=roll_id, listed=listed)
