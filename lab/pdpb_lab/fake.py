"""A fast, vectorised stand-in generator for the linkage tests (beside
``pdpb_lab.synth``): a roll in the canonical schema and a feed with truth.

Noise it injects into feed copies of roll persons: name variants (MUHAMMAD -> M./MOCH./MUH.,
titles, one typo, word order, dropped token), day/month swaps and one-digit date typos, NIK
empty / placeholder / one wrong digit, moves to another desa (new NKK and address). Feed rows
that are NOT on the roll include household members (twins with the next serial, new 17-year-olds
sharing NKK and address, sons with their father's name) and namesakes.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

MALE = ("AHMAD BUDI AGUS ADI ANDI ARIF BAMBANG DEDI DENI EKO FAJAR HADI HENDRA IRFAN JOKO RUDI "
        "SURYA TAUFIK WAHYU YUSUF RIZKI DIMAS ILHAM FIRMAN GILANG HERU IWAN KURNIAWAN ASEP UJANG "
        "DADANG CECEP ENDANG YAYAN DEDEN AEP OMAN SLAMET SUPRIYADI SUTRISNO DJOKO SOEKARNO "
        "HIDAYAT RAHMAT NURDIN SAEPUL SOLEH SUPARMAN TATANG UDIN YADI ZAENAL").split()
FEMALE = ("SITI AMINAH NUR AISYAH DEWI SRI RINA YANI LINA ANI NENG EUIS IMAS TITIN YULI ENI "
          "FITRI RATNA WULAN INDAH PUTRI AYU LESTARI RAHAYU KARTIKA MAYA NOVI TUTI ELIS IDA "
          "KOMALASARI NURHASANAH MARYAM FATIMAH ZAHRA NABILA SALSABILA ANISA DIAN YUNINGSIH "
          "SUMARNI SUKAESIH HERLINA NINGSIH ROSITA ROHAYATI").split()
LAST = ("SANTOSO SAPUTRA WIJAYA HIDAYAT KURNIAWAN SETIAWAN GUNAWAN PERMANA RAMDANI NUGRAHA "
        "FIRMANSYAH MAULANA HAKIM SUHERMAN SUPRIATNA MULYANA SOLIHIN SOPIAN HERMAWAN IRAWAN "
        "PRATAMA RAHMAN HASAN HUSEIN SUGANDA SUTISNA KOSASIH RUSTANDI SUNARYA SUDRAJAT").split()
STREETS = ["KP. CIBEREUM", "JL. RAYA BOGOR", "KP. SUKAMAJU", "JL. MERDEKA", "PERUM GRIYA ASRI", "KP. BABAKAN",
           "JL. PEMUDA", "KP. CILEUNGSI", "DUSUN KRAJAN", "JL. MAWAR", "KP. PASIR", "JL. MELATI"]


def _choice(rng, arr, n):
    arr = np.asarray(arr, dtype=object)
    return arr[rng.integers(0, len(arr), n)]


def make_roll(n: int, rng: np.random.Generator, desa_codes: list[str], serial_base: int = 0) -> pd.DataFrame:
    hh = max(1, n // 3)
    hh_of = np.sort(rng.integers(0, hh, n))
    desa = np.asarray(desa_codes, dtype=object)[rng.integers(0, len(desa_codes), hh)][hh_of]
    kec = np.array([d[:8].replace(".", "") for d in desa], dtype=object)
    sex = np.where(rng.random(n) < 0.5, "L", "P")
    male = sex == "L"
    first = np.where(male, _choice(rng, MALE, n), _choice(rng, FEMALE, n))
    muh = male & (rng.random(n) < 0.2)
    first = np.where(muh, "MUHAMMAD " + first.astype(str), first)
    ntok = rng.random(n)
    second = np.where(male, _choice(rng, MALE + LAST, n), _choice(rng, FEMALE + LAST, n))
    third = _choice(rng, LAST, n)
    nama = np.where(ntok < 0.15, first, np.where(ntok < 0.8, first + " " + second,
                                                 first + " " + second + " " + third))
    born = pd.Timestamp("1950-01-01") + pd.to_timedelta(rng.integers(0, 58 * 365, n), unit="D")
    day = born.day.to_numpy() + np.where(male, 0, 40)
    serial = pd.Series(kec.astype(str) + day.astype(str) + born.strftime("%m%y")).groupby(
        kec.astype(str) + np.char.mod("%02d", day) + born.strftime("%m%y").to_numpy()).cumcount().to_numpy() + 1 + serial_base
    nik = (pd.Series(kec.astype(str)) + pd.Series(np.char.mod("%02d", day)) + pd.Series(born.strftime("%m%y"))
           + pd.Series(np.char.mod("%04d", serial)))
    nkk_serial = rng.permutation(hh)[hh_of]
    nkk = pd.Series(kec.astype(str)) + pd.Series(np.char.mod("%06d", rng.integers(10000, 311299, hh)[hh_of])) \
        + pd.Series(np.char.mod("%04d", nkk_serial % 10000))
    alamat = (pd.Series(_choice(rng, STREETS, hh)[hh_of]) + " NO. "
              + pd.Series(rng.integers(1, 200, hh)[hh_of].astype(str)))
    rt = np.char.mod("%03d", rng.integers(1, 15, hh)[hh_of])
    rw = np.char.mod("%03d", rng.integers(1, 10, hh)[hh_of])
    return pd.DataFrame({
        "id": np.char.mod("V%08d", np.arange(n)), "nik": nik.to_numpy(), "nkk": nkk.to_numpy(),
        "nama": nama, "tempat_lahir": np.where(rng.random(n) < 0.7, "BOGOR", "JAKARTA"),
        "tanggal_lahir": born.strftime("%Y-%m-%d"), "jenis_kelamin": sex,
        "status_kawin": np.where(rng.random(n) < 0.6, "S", "B"), "alamat": alamat.to_numpy(),
        "rt": rt, "rw": rw, "kode_desa": desa,
    })


VARIANTS = {"MUHAMMAD": ["M.", "MOCH.", "MUH.", "MUHAMAD", "MOH.", "MOHAMMAD"], "SITI": ["ST."],
            "DJOKO": ["JOKO"], "SOEKARNO": ["SUKARNO"], "YUSUF": ["JUSUF"], "SUTRISNO": ["SOETRISNO"]}


def _mangle_name(name: str, rng: np.random.Generator) -> str:
    toks = name.split()
    r = rng.random()
    if r < 0.25:
        toks = [rng.choice(VARIANTS[t]) if t in VARIANTS else t for t in toks]
    elif r < 0.45 and len(toks) > 1:
        toks = toks[1:] + toks[:1]
    elif r < 0.6:
        toks = [str(rng.choice(["H.", "HJ.", "DR.", "IR."]))] + toks if rng.random() < 0.5 else toks + ["S.PD."]
    elif r < 0.85:
        i = int(rng.integers(0, len(toks)))
        t = toks[i]
        if len(t) > 3:
            j = int(rng.integers(1, len(t)))
            op = rng.random()
            t = t[:j] + t[j + 1:] if op < 0.4 else t[:j] + t[j - 1] + t[j:] if op < 0.7 else t[:j - 1] + t[j] + t[j - 1] + t[j + 1:]
        toks[i] = t
    elif len(toks) > 2:
        toks = toks[:-1]
    return " ".join(toks)


def make_case(voters: int, feed: int, seed: int = 1, regency: str = "32.01"):
    """(roll, feed, truth): truth maps feed id -> roll id ('' for a person not on the roll)."""
    from pdpb_pipeline.domain.regions import desa_of

    rng = np.random.default_rng(seed)
    desa_codes = [d.code for d in desa_of(regency)]
    roll = make_roll(voters, rng, desa_codes)
    n_old = int(feed * 0.9)
    pick = rng.choice(voters, n_old, replace=False)
    f = roll.iloc[pick].copy().reset_index(drop=True)
    truth = f["id"].to_numpy().copy()
    m = rng.random(n_old)
    idx = np.flatnonzero(m < 0.15)
    f.loc[idx, "nama"] = [_mangle_name(v, rng) for v in f.loc[idx, "nama"]]
    # dates
    d = pd.to_datetime(f["tanggal_lahir"])
    r = rng.random(n_old)
    swap = (r < 0.02) & (d.dt.day <= 12).to_numpy() & (d.dt.day != d.dt.month).to_numpy()
    f.loc[swap, "tanggal_lahir"] = d[swap].dt.strftime("%Y-%d-%m")
    typo = (r >= 0.02) & (r < 0.04)
    f.loc[typo, "tanggal_lahir"] = (d[typo] + pd.to_timedelta(rng.choice([-10, 1, 10, 365 * 10], typo.sum()), unit="D")).dt.strftime("%Y-%m-%d")
    # NIK faults
    r = rng.random(n_old)
    f.loc[r < 0.04, "nik"] = ""
    f.loc[(r >= 0.04) & (r < 0.05), "nik"] = "3333333333333333"
    one = np.flatnonzero((r >= 0.05) & (r < 0.07))
    for i in one:
        s = list(f.at[i, "nik"]); p = int(rng.integers(0, 16)); s[p] = str((int(s[p]) + 1 + int(rng.integers(0, 8))) % 10)
        f.at[i, "nik"] = "".join(s)
    # moves
    mv = rng.random(n_old) < 0.05
    k = int(mv.sum())
    f.loc[mv, "kode_desa"] = _choice(rng, desa_codes, k)
    f.loc[mv, "alamat"] = _choice(rng, STREETS, k) + " NO. " + rng.integers(1, 200, k).astype(str)
    f.loc[mv, "nkk"] = ""
    f.loc[rng.random(n_old) < 0.1, "nkk"] = ""
    # new people: household members, twins, namesakes, strangers
    n_new = feed - n_old
    base = roll.iloc[rng.choice(voters, n_new, replace=False)].reset_index(drop=True)
    new = make_roll(n_new, rng, desa_codes, serial_base=5000)
    kind = rng.random(n_new)
    for col in ("nkk", "alamat", "rt", "rw", "kode_desa"):
        new.loc[kind < 0.6, col] = base.loc[kind < 0.6, col]
    twin = kind < 0.15
    new.loc[twin, "tanggal_lahir"] = base.loc[twin, "tanggal_lahir"]
    new.loc[twin, "jenis_kelamin"] = base.loc[twin, "jenis_kelamin"]
    new.loc[twin, "nik"] = [s[:12] + f"{(int(s[12:]) + 5000) % 10000:04d}" for s in base.loc[twin, "nik"]]
    son = (kind >= 0.15) & (kind < 0.25)
    new.loc[son, "nama"] = base.loc[son, "nama"]
    namesake = (kind >= 0.6) & (kind < 0.75)
    new.loc[namesake, "nama"] = base.loc[namesake, "nama"]
    new["id"] = [f"N{i:07d}" for i in range(n_new)]
    f = pd.concat([f, new], ignore_index=True)
    truth = np.concatenate([truth, np.full(n_new, "", dtype=object)])
    f["id"] = [f"F{i:07d}" for i in range(len(f))]
    order = rng.permutation(len(f))
    f = f.iloc[order].reset_index(drop=True)
    truth = pd.DataFrame({"feed_id": f["id"], "roll_id": truth[order]})
    return roll, f, truth


def write_case(voters: int, feed: int, out: Path, seed: int = 1) -> tuple[Path, Path, Path]:
    out.mkdir(parents=True, exist_ok=True)
    roll, f, truth = make_case(voters, feed, seed)
    paths = out / "roll.csv", out / "feed.csv", out / "truth.csv"
    roll.to_csv(paths[0], index=False)
    f.to_csv(paths[1], index=False)
    truth.to_csv(paths[2], index=False)
    return paths
