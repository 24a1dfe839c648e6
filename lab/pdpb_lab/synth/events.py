"""Monthly life of the regency: what happens to people, and who reports it.

The simulation keeps the *true* state of every person (alive, living here, abroad, in prison,
TNI/Polri, marital status, address, name, birth date) and the *ideal roll*: the DPT with every
true change applied (stale entries stay listed until somebody reports them). Each month, in this
order, at most one event per person (arrival and turning 17 may share a month):

arrivals (movers-in, returning migrant workers) -> turning 17 -> TNI/Polri retirement and
enlistment -> deaths -> moves out -> moves within -> marriages under 17 -> migrant workers
leaving -> prison release and intake -> identity corrections -> late reports of stale DPT
entries -> village-election lists.

Every event goes to the ledger (``truth/<regency>/events.csv``) with its roll category relative
to the ideal roll just before it, and to zero, one or two agencies' reports (some a month late,
some never). Rows the agencies send that are not events (a village list naming people already
on the roll, occupants of housing who moved in long ago) are reports without an event.
"""

from __future__ import annotations

import numpy as np

from . import noise as Z
from .config import SynthConfig
from .places import Geo, addresses
from .population import (
    DAYS_PER_YEAR,
    LUAR,
    LUAR_NEGERI,
    MENINGGAL,
    PENDUDUK,
    PINDAH,
    Persons,
    add_years,
    annual_death_prob,
)

SNAP_KEYS = ("person", "nik", "nkk", "nama", "tempat_lahir", "birth", "female", "marital",
             "alamat", "rt", "rw", "desa", "tni", "estate", "lapas")

#: The regency's remand centre and prisons (``{}``: the regency's short name); women go to the
#: last one (LPP), men to the others by these weights.
INSTITUTIONS = ("LAPAS KELAS IIA {}", "RUTAN KELAS IIB {}", "LPP KELAS III {}")
MEN_WEIGHTS = (0.6, 0.4)


class Simulation:
    def __init__(self, cfg: SynthConfig, geo: Geo, P: Persons, roll_id: np.ndarray, listed: np.ndarray,
                 rng: np.random.Generator):
        self.cfg, self.geo, self.P, self.rng = cfg, geo, P, rng
        n = self.n = len(P)
        self.alive = P.status != MENINGGAL
        self.here = (P.status == PENDUDUK) | (P.status == LUAR_NEGERI)
        self.abroad = P.status == LUAR_NEGERI
        self.inmate = P.inmate.copy()
        # Which institution (``INSTITUTIONS``) each inmate is in, -1 outside; own stream, so the
        # rest of the regency is drawn as before.
        self.rng_lapas = np.random.default_rng([cfg.seed, 0x4C4150])
        self.institutions = tuple(name.format(geo.name) for name in INSTITUTIONS)
        self.lapas = np.full(n, -1, np.int8)
        self._assign_institution(np.flatnonzero(self.inmate))
        self.tni = P.tni.copy()
        self.marital = P.marital.copy()
        self.desa = P.desa.copy()
        self.rw = P.rw.copy()
        self.rt = P.rt.copy()
        self.alamat = P.alamat.copy()
        self.nkk = P.nkk.copy()
        self.nama = P.nama.copy()
        self.birth = P.birth.copy()
        self.estate = P.hh_estate & (P.status == PENDUDUK)
        self.on_roll = listed.copy()
        self.roll_id = roll_id
        self.nkk_used = set(P.nkk.tolist())
        self.n_hh = int(P.hh.max()) + 1 if n else 0
        self.pending = np.full(n, -1, np.int64)  # an addition / address event nobody reported yet
        self.first_report: dict[int, int] = {}
        # Migrant workers who left during the months, and their own random stream (``run_month``,
        # step n: returns, identity misuse): without those options the regency is as before.
        self.left = np.zeros(n, bool)
        self.rng_pmi = np.random.default_rng([cfg.seed, 0x504D49])
        self.n_events = 0
        self.events: list[dict] = []
        self.reports: list[dict] = []
        base = np.datetime64(cfg.baseline_date, "D")
        here = self.here & self.alive
        age = (base - self.birth[here]).astype(int) / DAYS_PER_YEAR
        q = annual_death_prob(age)
        self.death_scale = cfg.death_rate_annual * here.sum() / max(q.sum(), 1e-9)

    # -----------------------------------------------------------------------------------------
    def snapshot(self, idx: np.ndarray) -> dict:
        return {
            "person": idx, "nik": self.P.nik[idx], "nkk": self.nkk[idx], "nama": self.nama[idx],
            "tempat_lahir": self.P.tempat_lahir[idx], "birth": self.birth[idx],
            "female": self.P.female[idx], "marital": self.marital[idx], "alamat": self.alamat[idx],
            "rt": self.rt[idx], "rw": self.rw[idx], "desa": self.desa[idx], "tni": self.tni[idx],
            "estate": self.estate[idx], "lapas": self.lapas[idx].copy(),
        }

    def _assign_institution(self, idx: np.ndarray) -> None:
        men = self.rng_lapas.choice(len(MEN_WEIGHTS), size=len(idx), p=MEN_WEIGHTS).astype(np.int8)
        self.lapas[idx] = np.where(self.P.female[idx], len(INSTITUTIONS) - 1, men)

    def inmates(self) -> tuple[np.ndarray, np.ndarray]:
        """Who is in which institution now (persons, ``INSTITUTIONS`` index)."""
        idx = np.flatnonzero(self.inmate & self.alive)
        return idx, self.lapas[idx].copy()

    def roster(self, date: np.datetime64) -> None:
        """The prisons' full roster of every inmate on ``date`` (before the first month's
        events), sent with the first month's files when the reporting starts: rows, not events."""
        idx = np.flatnonzero(self.inmate & self.alive)
        on_b, rid_b = self.roll_before(idx)
        self._plain_report(0, idx, "lapas", "penghuni_lapas", np.full(len(idx), date, dtype="datetime64[D]"),
                           on_b, rid_b)

    def roll_before(self, idx: np.ndarray):
        on = self.on_roll[idx].copy()
        rid = np.where(on, self.roll_id[idx], "").astype(object)
        return on, rid

    def record(self, month: int, idx: np.ndarray, jenis, dates: np.ndarray, kategori, sub,
               on_before: np.ndarray, rid_before: np.ndarray, label: str) -> dict:
        """Adds events (state already updated) to the ledger; returns the chunk."""
        k = len(idx)
        chunk = self.snapshot(idx)
        chunk.update({
            "ev": np.arange(self.n_events, self.n_events + k),
            "bulan": np.full(k, label, dtype=object),
            "month": np.full(k, month, np.int16),
            "jenis": np.broadcast_to(np.asarray(jenis, dtype=object), (k,)).copy(),
            "tanggal": dates.astype("datetime64[D]"),
            "kategori": np.broadcast_to(np.asarray(kategori, dtype=object), (k,)).copy(),
            "sub": np.broadcast_to(np.asarray(sub, dtype=object), (k,)).copy(),
            "di_roll": on_before.astype(np.int8),
            "roll_id": rid_before,
        })
        self.n_events += k
        self.events.append(chunk)
        return chunk

    def report(self, chunk: dict, agency: str, prob: float, month: int, jenis=None,
               mask: np.ndarray | None = None, late_ok: bool = True, delay: int = 0,
               rng: np.random.Generator | None = None) -> None:
        k = len(chunk["person"])
        if not k:
            return
        rng = self.rng if rng is None else rng
        sel = rng.random(k) < prob
        if mask is not None:
            sel &= mask
        if not sel.any():
            return
        late = (rng.random(k) < self.cfg.late_share) if late_ok else np.zeros(k, bool)
        rep_month = month + delay + late.astype(int)
        rows = {key: val[sel] for key, val in chunk.items()}
        rows["agency"] = np.full(sel.sum(), agency, dtype=object)
        rows["rep_month"] = rep_month[sel].astype(np.int16)
        rows["jenis_rep"] = (rows["jenis"].copy() if jenis is None
                             else np.broadcast_to(np.asarray(jenis, dtype=object), (sel.sum(),)).copy())
        self.reports.append(rows)
        for ev, m in zip(rows["ev"].tolist(), rows["rep_month"].tolist()):
            if ev >= 0 and m < self.first_report.get(ev, 1 << 30):
                self.first_report[ev] = m

    def mark_pending(self, chunk: dict) -> None:
        """Additions and address changes nobody reported this month may surface in a village list."""
        watch = (chunk["kategori"] == "pemilih_baru") | (chunk["sub"] == "ubah_alamat")
        for p, ev, m in zip(chunk["person"][watch].tolist(), chunk["ev"][watch].tolist(),
                            chunk["month"][watch].tolist()):
            if self.first_report.get(ev, 1 << 30) > m:
                self.pending[p] = ev

    # -----------------------------------------------------------------------------------------
    def _dates(self, s: np.datetime64, ndays: int, k: int) -> np.ndarray:
        return s + self.rng.integers(0, ndays, k).astype("timedelta64[D]")

    def _new_nkk(self, desa: np.ndarray, dates: np.ndarray) -> np.ndarray:
        region = self.geo.kec_num[self.geo.desa_kec[desa]]
        y = dates.astype("datetime64[Y]").astype(int) + 1970
        m = dates.astype("datetime64[M]").astype(int) % 12 + 1
        d = (dates - dates.astype("datetime64[M]")).astype(int) + 1
        stem = region * 10_000_000_000 + (d * 10000 + m * 100 + y % 100).astype(np.int64) * 10_000
        out = np.empty(len(desa), np.int64)
        for i in range(len(desa)):
            while True:
                v = int(stem[i]) + int(self.rng.integers(1, 10000))
                if v not in self.nkk_used:
                    self.nkk_used.add(v)
                    out[i] = v
                    break
        return out

    def _move_groups(self, cand: np.ndarray, rate: float) -> tuple[np.ndarray, np.ndarray]:
        """Persons moving (whole households or single adults) and their group number."""
        P, cfg, rng = self.P, self.cfg, self.rng
        idx = np.flatnonzero(cand)
        if not len(idx):
            return idx, idx
        hh = P.hh[idx]  # persons are ordered by household
        uh = hh[np.r_[True, hh[1:] != hh[:-1]]]
        hh_move = uh[rng.random(len(uh)) < rate * cfg.household_move_share]
        moving = np.zeros(self.n_hh, bool)
        moving[hh_move] = True
        in_hh = moving[hh]
        age = self._age(idx)
        adult = (age >= 18) & (age < 40) & ~in_hh
        frac = max(adult.mean(), 1e-6)
        single = adult & (rng.random(len(idx)) < rate * (1 - cfg.household_move_share) / frac)
        movers = idx[in_hh | single]
        group = np.where(moving[P.hh[movers]], P.hh[movers], -1 - movers)
        return movers, group

    def _age(self, idx: np.ndarray, on: np.datetime64 | None = None) -> np.ndarray:
        on = self.s if on is None else on
        return (on - self.birth[idx]).astype(int) / DAYS_PER_YEAR

    def _relocate(self, movers: np.ndarray, group: np.ndarray, dates_g: np.ndarray, desa_g: np.ndarray | None = None):
        """New desa/RW/RT/address/NKK per group; returns the housing-estate flag per mover."""
        rng, geo, P = self.rng, self.geo, self.P
        ug, inv = np.unique(group, return_inverse=True)
        k = len(ug)
        if desa_g is None:
            desa_g = rng.choice(geo.n_desa, size=k, p=geo.desa_weight)
        rw_g = 1 + rng.integers(0, P.n_rw[desa_g])
        rt_g = 1 + rng.integers(0, P.n_rt[desa_g])
        estate_g = rng.random(k) < self.cfg.move_to_housing_share
        alamat_g = addresses(rng, geo, desa_g, rw_g, estate_g)
        nkk_g = self._new_nkk(desa_g, dates_g)
        self.desa[movers] = desa_g[inv]
        self.rw[movers] = rw_g[inv]
        self.rt[movers] = rt_g[inv]
        self.alamat[movers] = alamat_g[inv]
        self.nkk[movers] = nkk_g[inv]
        self.estate[movers] = estate_g[inv]
        return estate_g[inv]

    # -----------------------------------------------------------------------------------------
    def run_month(self, i: int, label: str) -> None:
        cfg, rng, P = self.cfg, self.rng, self.P
        y, mo = (int(x) for x in label.split("-"))
        s = np.datetime64(f"{label}-01", "D")
        e = (np.datetime64(label, "M") + 1).astype("datetime64[D]") - 1
        self.s, self.e = s, e
        nd = int((e - s).astype(int)) + 1
        busy = np.zeros(self.n, bool)

        def eligible(idx, on):
            return (add_years(self.birth[idx], 17) <= on) | (self.marital[idx] > 0)

        # a. Movers-in arrive, household by household.
        arr = np.flatnonzero(P.arrival == i)
        if len(arr):
            ug, inv = np.unique(P.hh[arr], return_inverse=True)
            dates_g = self._dates(s, nd, len(ug))
            on_b, rid_b = self.roll_before(arr)
            housing = self._relocate(arr, P.hh[arr], dates_g, P.hh_desa_all[arr][np.unique(inv, return_index=True)[1]])
            dates = dates_g[inv]
            self.here[arr] = True
            ok = eligible(arr, dates) & (self.tni[arr] == 0)
            self.on_roll[arr[ok]] = True
            ch = self.record(i, arr, "pindah_masuk", dates, np.where(ok, "pemilih_baru", ""),
                             np.where(ok, "pindah_masuk", ""), on_b, rid_b, label)
            self.report(ch, "disdukcapil", cfg.report_move_in, i)
            self.report(ch, "perumahan", cfg.report_housing, i, "penghuni_baru", mask=housing)
            self.mark_pending(ch)
            busy[arr] = True
        # a2. Migrant workers abroad at baseline come home (they were on the DPT abroad).
        ret = np.flatnonzero(self.abroad & self.alive & (P.status == LUAR_NEGERI) & ~busy)
        ret = ret[rng.random(len(ret)) < cfg.pmi_return_monthly]
        if len(ret):
            dates = self._dates(s, nd, len(ret))
            on_b, rid_b = self.roll_before(ret)
            self.abroad[ret] = False
            ok = ~self.on_roll[ret] & eligible(ret, dates) & (self.tni[ret] == 0)
            self.on_roll[ret[ok]] = True
            ch = self.record(i, ret, "pmi_pulang", dates, np.where(ok, "pemilih_baru", ""),
                             np.where(ok, "pindah_masuk", ""), on_b, rid_b, label)
            self.report(ch, "bp2mi", cfg.report_pmi, i)
            self.mark_pending(ch)
            busy[ret] = True

        live = self.here & self.alive & ~self.abroad
        # b. Turning 17.
        cand = np.flatnonzero(live & ~self.on_roll & (self.marital == 0) & (self.tni == 0))
        cand = cand[self._age(cand) >= 16.5]
        b17 = add_years(self.birth[cand], 17)
        turn = (b17 >= s) & (b17 <= e)
        pem = cand[turn]
        if len(pem):
            on_b, rid_b = self.roll_before(pem)
            self.on_roll[pem] = True
            ch = self.record(i, pem, "pemilih_pemula", b17[turn], "pemilih_baru", "pemilih_pemula", on_b, rid_b, label)
            self.report(ch, "disdukcapil", cfg.report_pemula, i)
            self.mark_pending(ch)
            busy[pem] = True

        # c. TNI/Polri: retirement at the birthday, enlistment of young men.
        mem = np.flatnonzero(live & (self.tni > 0) & ~busy)
        b58 = add_years(self.birth[mem], cfg.retire_age)
        ret = mem[(b58 >= s) & (b58 <= e)]
        if len(ret):
            dates = add_years(self.birth[ret], cfg.retire_age)
            on_b, rid_b = self.roll_before(ret)
            kind = self.tni[ret].copy()
            self.tni[ret] = 0
            ok = eligible(ret, dates) & ~self.on_roll[ret]
            self.on_roll[ret[ok]] = True
            ch = self.record(i, ret, np.where(kind == 1, "pensiun_tni", "pensiun_polri"), dates,
                             np.where(ok, "pemilih_baru", ""), np.where(ok, "tni_polri_ke_sipil", ""),
                             on_b, rid_b, label)
            self.report(ch, "tni_polri", cfg.report_tni_polri, i)
            busy[ret] = True
        young = np.flatnonzero(live & ~busy & ~self.inmate & (self.tni == 0) & ~P.female)
        young = young[(self._age(young) >= 18) & (self._age(young) < 22.5)]
        enl = young[rng.random(len(young)) < cfg.enlist_monthly]
        if len(enl):
            dates = self._dates(s, nd, len(enl))
            on_b, rid_b = self.roll_before(enl)
            kind = np.where(rng.random(len(enl)) < cfg.tni_share_of_members, 1, 2).astype(np.int8)
            self.tni[enl] = kind
            ok = on_b
            self.on_roll[enl] = False
            ch = self.record(i, enl, np.where(kind == 1, "masuk_tni", "masuk_polri"), dates,
                             np.where(ok, "tms", ""), np.where(ok, "sipil_ke_tni_polri", ""), on_b, rid_b, label)
            self.report(ch, "tni_polri", cfg.report_tni_polri, i)
            busy[enl] = True

        # d. Deaths (age-dependent, calibrated to the crude rate).
        cand = np.flatnonzero(self.here & self.alive & ~self.abroad & ~busy)
        q = annual_death_prob(self._age(cand)) * self.death_scale / 12.0
        dead = cand[rng.random(len(cand)) < q]
        if len(dead):
            dates = self._dates(s, nd, len(dead))
            on_b, rid_b = self.roll_before(dead)
            self.alive[dead] = False
            self.inmate[dead] = False
            self.on_roll[dead] = False
            ch = self.record(i, dead, "meninggal", dates, np.where(on_b, "tms", ""),
                             np.where(on_b, "meninggal", ""), on_b, rid_b, label)
            self.report(ch, "disdukcapil", cfg.report_death, i)
            busy[dead] = True

        # e. Moves out of the regency.
        cand = self.here & self.alive & ~self.abroad & ~self.inmate & ~busy
        movers, group = self._move_groups(cand, cfg.move_out_monthly)
        if len(movers):
            ug, inv = np.unique(group, return_inverse=True)
            dates = self._dates(s, nd, len(ug))[inv]
            on_b, rid_b = self.roll_before(movers)
            self.here[movers] = False
            self.on_roll[movers] = False
            ch = self.record(i, movers, "pindah_keluar", dates, np.where(on_b, "tms", ""),
                             np.where(on_b, "pindah_keluar", ""), on_b, rid_b, label)
            self.report(ch, "disdukcapil", cfg.report_move_out, i)
            busy[movers] = True

        # f. Moves within the regency (new address, new family card).
        cand = self.here & self.alive & ~self.abroad & ~self.inmate & ~busy
        movers, group = self._move_groups(cand, cfg.move_within_monthly)
        if len(movers):
            ug, inv = np.unique(group, return_inverse=True)
            dates_g = self._dates(s, nd, len(ug))
            on_b, rid_b = self.roll_before(movers)
            housing = self._relocate(movers, group, dates_g)
            ch = self.record(i, movers, "pindah_dalam", dates_g[inv], np.where(on_b, "ubah_data", ""),
                             np.where(on_b, "ubah_alamat", ""), on_b, rid_b, label)
            self.report(ch, "disdukcapil", cfg.report_move_within, i)
            self.report(ch, "perumahan", cfg.report_housing, i, "penghuni_baru", mask=housing)
            self.mark_pending(ch)
            busy[movers] = True

        # g. Marriages under 17 (dispensation): the person becomes a voter.
        live = self.here & self.alive & ~self.abroad
        cand = np.flatnonzero(live & ~busy & (self.marital == 0) & ~self.on_roll & (self.tni == 0))
        age = self._age(cand)
        cand = cand[(age >= 15) & (age < 17)]
        p = np.where(P.female[cand], cfg.kawin_under17_monthly, cfg.kawin_under17_monthly / 5)
        kw = cand[rng.random(len(cand)) < p]
        b17 = add_years(self.birth[kw], 17)
        kw = kw[b17 > e]
        if len(kw):
            dates = self._dates(s, nd, len(kw))
            on_b, rid_b = self.roll_before(kw)
            self.marital[kw] = 1
            self.on_roll[kw] = True
            ch = self.record(i, kw, "kawin", dates, "pemilih_baru", "pemilih_pemula", on_b, rid_b, label)
            self.report(ch, "kua", cfg.report_kawin, i)
            # The civil registry later updates the marital status on the family card.
            self.report(ch, "disdukcapil", 0.3, i, "perbaikan_data", late_ok=False, delay=1)
            self.mark_pending(ch)
            busy[kw] = True

        # h. Migrant workers leaving (they keep their place on the roll).
        cand = np.flatnonzero(self.here & self.alive & ~self.abroad & ~busy & ~self.inmate & (self.tni == 0))
        age = self._age(cand)
        cand = cand[(age >= 20) & (age < 40)]
        p = np.where(P.female[cand], 1.3, 0.7) * cfg.pmi_leave_monthly
        go = cand[rng.random(len(cand)) < p]
        if len(go):
            dates = self._dates(s, nd, len(go))
            on_b, rid_b = self.roll_before(go)
            self.abroad[go] = True
            self.left[go] = True
            ch = self.record(i, go, "pmi_berangkat", dates, "", "", on_b, rid_b, label)
            self.report(ch, "bp2mi", cfg.report_pmi, i)
            busy[go] = True

        # i. Prison release and intake (inmates keep the vote: no roll change).
        inm = np.flatnonzero(self.inmate & self.alive & ~busy)
        rel = inm[rng.random(len(inm)) < cfg.prison_release_monthly]
        if len(rel):
            dates = self._dates(s, nd, len(rel))
            on_b, rid_b = self.roll_before(rel)
            self.inmate[rel] = False
            ch = self.record(i, rel, "keluar_lapas", dates, "", "", on_b, rid_b, label)  # names where they were
            self.report(ch, "lapas", cfg.report_lapas, i, late_ok=False)
            self.lapas[rel] = -1
            busy[rel] = True
        stock = max(int(self.inmate.sum()), 1)
        n_in = rng.poisson(stock * cfg.prison_release_monthly)
        n_out = int(round(n_in * cfg.inmate_outsider_share))
        outs = np.flatnonzero((P.status == LUAR) & ~self.inmate & self.alive & ~busy)
        outs = outs[:0] if not len(outs) else rng.choice(outs, size=min(n_out, len(outs)), replace=False)
        cand = np.flatnonzero(self.here & self.alive & ~self.abroad & ~busy & ~self.inmate & (self.tni == 0))
        age = self._age(cand)
        w = np.where((age >= 18) & (age < 50), 1.0, 0.0) * np.where(P.female[cand], 0.07, 1.0)
        k = min(n_in - len(outs), int((w > 0).sum()))
        locs = rng.choice(cand, size=k, replace=False, p=w / w.sum()) if k > 0 else cand[:0]
        intake = np.concatenate([locs, outs]).astype(np.int64)
        if len(intake):
            dates = self._dates(s, nd, len(intake))
            on_b, rid_b = self.roll_before(intake)
            self.inmate[intake] = True
            self._assign_institution(intake)
            ch = self.record(i, intake, "masuk_lapas", dates, "", "", on_b, rid_b, label)
            self.report(ch, "lapas", cfg.report_lapas, i, late_ok=False)
            busy[intake] = True

        # j. Identity corrections by the civil registry.
        cand = np.flatnonzero(self.here & self.alive & ~self.abroad & ~busy & self.on_roll)
        cor = cand[rng.random(len(cand)) < cfg.correction_monthly]
        if len(cor):
            dates = self._dates(s, nd, len(cor))
            on_b, rid_b = self.roll_before(cor)
            for j, p in enumerate(cor.tolist()):
                u = rng.random()
                age = (e - self.birth[p]).astype(int) / DAYS_PER_YEAR
                if u < 0.3:
                    new = np.datetime64(Z.wrong_birthdate(self.birth[p].astype(object), rng), "D")
                    if ((add_years(np.array([new]), 17)[0] <= e) or self.marital[p] > 0) and new != self.birth[p]:
                        self.birth[p] = new
                        continue
                elif u < 0.45:
                    if self.marital[p] == 0 and age >= 19:
                        self.marital[p] = 1
                        continue
                    if self.marital[p] == 1 and age >= 45:
                        self.marital[p] = 2
                        continue
                old = self.nama[p]
                self.nama[p] = Z.name_variant(old, rng) if rng.random() < 0.6 else Z.name_typo(old, rng)
            ch = self.record(i, cor, "perbaikan_data", dates, "ubah_data", "ubah_elemen_data", on_b, rid_b, label)
            self.report(ch, "disdukcapil", cfg.report_correction, i)
            busy[cor] = True

        # k. Stale DPT entries reported at last (old deaths registered late, old moves).
        stale = np.flatnonzero(((P.status == MENINGGAL) | (P.status == PINDAH)) & self.on_roll)
        stale = stale[rng.random(len(stale)) < cfg.stale_report_monthly]
        if len(stale):
            on_b, rid_b = self.roll_before(stale)
            self.on_roll[stale] = False
            dead = P.status[stale] == MENINGGAL
            ch = self.record(i, stale, np.where(dead, "meninggal", "pindah_keluar"), P.status_date[stale],
                             "tms", np.where(dead, "meninggal", "pindah_keluar"), on_b, rid_b, label)
            self.report(ch, "disdukcapil", 1.0, i, late_ok=False)

        # l. Village-head election lists (whole desa), rows about people mostly on the roll.
        if rng.random() < cfg.pilkades_month_prob:
            k = int(rng.integers(1, cfg.pilkades_max_desa + 1))
            chosen = rng.choice(self.geo.n_desa, size=k, replace=False)
            live = self.here & self.alive & ~self.abroad & (self.tni == 0)
            idx = np.flatnonzero(live & np.isin(self.desa, chosen))
            idx = idx[eligible(idx, e)]
            if len(idx):
                self._village_list(i, idx, e)
        # m. Housing office also lists occupants of new blocks who moved in long ago.
        est = np.flatnonzero(self.here & self.alive & ~self.abroad & self.estate & ~busy)
        extra = est[rng.random(len(est)) < 0.004]
        if len(extra):
            on_b, rid_b = self.roll_before(extra)
            self._plain_report(i, extra, "perumahan", "penghuni_baru", self._dates(s, nd, len(extra)), on_b, rid_b)
        # n. Workers who left during the months come home, and identities of workers abroad used
        # at home (own stream ``rng_pmi``; nothing is drawn when the options are 0).
        self._pmi_returns(i, label, busy, s, nd)

    def _pmi_returns(self, i: int, label: str, busy: np.ndarray, s: np.datetime64, nd: int) -> None:
        cfg, rng, geo = self.cfg, self.rng_pmi, self.geo
        away = np.flatnonzero(self.left & self.abroad & self.alive & ~busy)
        if cfg.pmi_departed_return_monthly and len(away):
            ret = away[rng.random(len(away)) < cfg.pmi_departed_return_monthly]
            if len(ret):
                dates = s + rng.integers(0, nd, len(ret)).astype("timedelta64[D]")
                on_b, rid_b = self.roll_before(ret)
                self.abroad[ret] = False
                moved = rng.random(len(ret)) < cfg.pmi_return_moved_share
                if moved.any():  # the KTP/KK now names the desa the family lives in
                    who = ret[moved]
                    desa = rng.choice(geo.n_desa, size=len(who), p=geo.desa_weight)
                    rw = 1 + rng.integers(0, self.P.n_rw[desa])
                    rt = 1 + rng.integers(0, self.P.n_rt[desa])
                    self.desa[who], self.rw[who], self.rt[who] = desa, rw, rt
                    self.alamat[who] = addresses(rng, geo, desa, rw, np.zeros(len(who), bool))
                    self.estate[who] = False
                changed = moved & on_b
                ch = self.record(i, ret, "pmi_pulang", dates, np.where(changed, "ubah_data", ""),
                                 np.where(changed, "ubah_alamat", ""), on_b, rid_b, label)
                self.report(ch, "bp2mi", cfg.report_pmi, i, rng=rng, late_ok=False)
                busy[ret] = True
                away = away[~np.isin(away, ret)]
        if cfg.pmi_misuse_monthly and len(away):
            used = away[self.on_roll[away] & (rng.random(len(away)) < cfg.pmi_misuse_monthly)]
            if len(used):
                on_b, rid_b = self.roll_before(used)
                rows = self.snapshot(used)
                desa = rng.choice(geo.n_desa, size=len(used), p=geo.desa_weight)
                rw = 1 + rng.integers(0, self.P.n_rw[desa])
                rt = 1 + rng.integers(0, self.P.n_rt[desa])
                rows.update({"desa": desa, "rw": rw, "rt": rt,
                             "alamat": addresses(rng, geo, desa, rw, np.zeros(len(used), bool))})
                k = len(used)
                rows.update({
                    "ev": np.full(k, -1, np.int64), "bulan": np.full(k, "", dtype=object),
                    "month": np.full(k, i, np.int16), "jenis": np.full(k, "pindah_dalam", dtype=object),
                    "tanggal": (s + rng.integers(0, nd, k).astype("timedelta64[D]")).astype("datetime64[D]"),
                    "kategori": np.full(k, "", dtype=object), "sub": np.full(k, "", dtype=object),
                    "di_roll": on_b.astype(np.int8), "roll_id": rid_b,
                    "agency": np.full(k, "disdukcapil", dtype=object), "rep_month": np.full(k, i, np.int16),
                    "jenis_rep": np.full(k, "pindah_dalam", dtype=object),
                })
                self.reports.append(rows)

    def _plain_report(self, month: int, idx: np.ndarray, agency: str, jenis: str, dates: np.ndarray,
                      on_b: np.ndarray, rid_b: np.ndarray, kategori=None, sub=None, ev=None) -> None:
        k = len(idx)
        rows = self.snapshot(idx)
        rows.update({
            "ev": np.full(k, -1, np.int64) if ev is None else ev,
            "bulan": np.full(k, "", dtype=object),
            "month": np.full(k, month, np.int16),
            "jenis": np.full(k, jenis, dtype=object),
            "tanggal": dates.astype("datetime64[D]"),
            "kategori": np.full(k, "", dtype=object) if kategori is None else kategori,
            "sub": np.full(k, "", dtype=object) if sub is None else sub,
            "di_roll": on_b.astype(np.int8),
            "roll_id": rid_b,
            "agency": np.full(k, agency, dtype=object),
            "rep_month": np.full(k, month, np.int16),
            "jenis_rep": np.full(k, jenis, dtype=object),
        })
        self.reports.append(rows)

    def _village_list(self, month: int, idx: np.ndarray, list_date: np.datetime64) -> None:
        """A Pilkades voter list: reveals additions and moves nobody reported yet."""
        k = len(idx)
        on_b, rid_b = self.roll_before(idx)
        kategori = np.full(k, "", dtype=object)
        sub = np.full(k, "", dtype=object)
        ev = np.full(k, -1, np.int64)
        pend = self.pending[idx]
        ev_by_id = None
        for j in np.flatnonzero(pend >= 0):
            e_id = int(pend[j])
            if self.first_report.get(e_id, 1 << 30) <= month:
                continue
            if ev_by_id is None:
                ev_by_id = self._event_lookup()
            kat, sb, on0, rid0 = ev_by_id(e_id)
            kategori[j], sub[j], ev[j] = kat, sb, e_id
            on_b[j], rid_b[j] = on0, rid0
            self.first_report[e_id] = month
        dates = np.full(k, list_date, dtype="datetime64[D]")
        self._plain_report(month, idx, "dpmd", "daftar_pemilih_desa", dates, on_b, rid_b, kategori, sub, ev)

    def _event_lookup(self):
        starts = np.array([c["ev"][0] if len(c["ev"]) else -1 for c in self.events])

        def get(e_id: int):
            c = self.events[int(np.searchsorted(starts, e_id, side="right")) - 1]
            j = e_id - int(c["ev"][0])
            return c["kategori"][j], c["sub"][j], bool(c["di_roll"][j]), c["roll_id"][j]
        return get
