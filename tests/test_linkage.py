"""Linkage engine: name and date variation, NIK traps, thresholds, explanations, ganda, files."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from pdpb_pipeline.linkage import KELAS, LinkConfig, deduplicate, link, link_files
from pdpb_pipeline.linkage import normalize as nz
from pdpb_pipeline.linkage.compare import COMPARISONS, nik_levels
from pdpb_pipeline.linkage.prepare import prepare

from pdpb_lab import fake


# --- normalisation --------------------------------------------------------------------------------

@pytest.mark.parametrize("a,b", [
    ("MUHAMMAD RIZKI", "M. RIZKI"), ("MUHAMMAD RIZKI", "MOCH. RIZKI"), ("MUHAMMAD RIZKI", "MUH RIZKI"),
    ("MUHAMMAD RIZKI", "MUHAMAD RIZKI"), ("MUHAMMAD RIZKI", "MOH. RIZKI"),
    ("SITI AMINAH", "ST. AMINAH"), ("AHMAD DAHLAN", "H. AHMAD DAHLAN"),
    ("AMINAH", "HJ. AMINAH"), ("BUDI SANTOSO", "BUDI SANTOSO, S.PD."),
    ("BUDI SANTOSO", "DR. IR. BUDI SANTOSO"), ("budi santoso", "BUDI  SANTOSO"),
])
def test_titles_and_muhammad_siti_spellings_normalise_to_one_name(a, b):
    assert nz.normalize_name(a) == nz.normalize_name(b)


@pytest.mark.parametrize("a,b", [
    ("DJOKO", "JOKO"), ("SOEHARTO", "SUHARTO"), ("TJAHJONO", "CAHYONO"), ("JUSUF", "YUSUF"),
    ("ACHMAD", "AHMAD"), ("AKHMAD", "AHMAD"), ("KHAIRUL", "HAIRUL"), ("FATIMAH", "FATIMA"),
    ("ANNISA", "ANISA"), ("RIZKY", "RIZKI"), ("ZAENAL", "ZAINAL"),
])
def test_phonetic_keys_follow_indonesian_old_and_new_spelling(a, b):
    assert nz.phonetic_token(a) == nz.phonetic_token(b)


def test_different_names_keep_different_keys():
    assert nz.phonetic_token("BUDI") != nz.phonetic_token("BAYU")
    table = nz.name_table(np.array(["RIZKI MUHAMMAD", "MUHAMMAD RIZKI", "RIZAL MUHAMMAD"], dtype=object))
    assert table["sorted"][0] == table["sorted"][1] != table["sorted"][2]


def test_dates_swap():
    assert nz.swap_day_month(np.array([19850307, 19851212, 19851325])).tolist() == [19850703, 0, 0]


def test_nik_is_decomposed_and_placeholders_are_unusable():
    raw, is16, usable, _ = nz.id_scan(["3201154703850002", "3333333333333333", "3201154703850000",
                                       "1234567890123456", "", "3201 1547 0385 0003"])
    assert is16.tolist() == [True, True, True, True, False, True]
    assert usable.tolist() == [True, False, False, False, False, True]
    parts = nz.nik_parts(raw, is16)
    assert parts["region"][0] == 320115 and parts["birth"][0] == 470385 and parts["serial"][0] == 2


# --- the vectorised paths agree with the per-value definitions ----------------------------------

ODD_NAMES = ["MUHAMMAD RIZKI", "rizki  muhammad", "H. Moch. Rizki, S.Pd.", "", " ", ".", "H", "H HJ",
             "SITI\tAMINAH", "HJ. NUR NURH", "NURH", "NUR", "O'NEIL", "SE SITI", "SITI SE", "SE",
             "DR. IR. BUDI SANTOSO", "BUDI SANTOSO, S.PD.", "ß", "NI'MAH PUTRI", "Ahmad, S.Pd., M.M.",
             "A\x01B", "BIN", "ST. AMINAH", "MUH. ALI BIN ABDUL"]


def _name_table_one_by_one(raw):
    nt = nz.normalize_name(raw).split()
    ph = [nz._token_info(t)[1] for t in nt]
    core = [p for p, t in zip(ph, nt) if t not in nz.FILLER]
    srt = " ".join(sorted(ph))
    return " ".join(nt), srt, " ".join(sorted(core)) if core else srt, sorted(set(ph))


@pytest.mark.parametrize("names", [ODD_NAMES, ODD_NAMES[:3], ODD_NAMES[3:6], []])
def test_name_table_matches_the_per_name_definition(names):
    table = nz.name_table(np.array(names, dtype=object))
    off = table["tok_off"]
    for i, raw in enumerate(names):
        norm, srt, core, toks = _name_table_one_by_one(raw)
        assert (table["norm"][i], table["sorted"][i], table["core"][i]) == (norm, srt, core), raw
        assert list(table["tok_uniq"][table["tok_rank"][off[i]:off[i + 1]]]) == toks, raw
        assert (table["sorted_code"][i] < 0) == (srt == "")
    for key in ("sorted", "core"):
        codes, strings = table[f"{key}_code"], table[key]
        for i in range(len(names)):
            for j in range(len(names)):
                if strings[i] and strings[j]:
                    assert (codes[i] == codes[j]) == (strings[i] == strings[j])


def test_id_scan_matches_the_per_value_rules():
    values = ["3201154703850002", "3333333333333333", "3201154703850000", "1234567890123456",
              "9876543210987654", "", " ", "3201 1547 0385 0003", "32.01.15.4703850004", "12345",
              "98765", "00012", "7", "1212121212121212", "1231231231231231", "32011547038500021",
              "x" * 30, "ABC", "0000000000000001", "3201154703850002 "]
    raw, is16, usable, key = nz.id_scan(np.array(values, dtype=object))
    for v, r, s16, u, k in zip(values, raw, is16, usable, key):
        clean = re.sub(r"[\s.'`-]", "", v[:24])
        ok = clean.isdigit() and len(clean) <= 16
        assert r == (clean.encode() if ok else b""), v
        assert s16 == (ok and len(clean) == 16), v
        d = [int(c) for c in clean] if ok else []
        steps = {(b - a) % 10 for a, b in zip(d, d[1:])}
        placeholder = ok and (len(set(d)) <= 2 or steps <= {1} or steps <= {9}
                              or (len(d) == 16 and clean.endswith("0000")))
        assert u == (ok and not placeholder), v
        assert k == (int(clean) if u else -1), v
    parts = nz.nik_parts(raw, is16)
    assert parts["region"][0] == 320115 and parts["birth"][0] == 470385 and parts["serial"][0] == 2


def test_vectorised_addresses_match_the_per_value_parser():
    addrs = ["Jl. Merdeka RT 03 RW 04", "jalan  raya no.5", "", "RT.1/RW.2", " jalan ", "JALANJALAN JLN-JLN",
             "KAMPUNG\tBARU", "a\nb", "LK LINGK LINGKUNGAN", "JALAN JALAN JALAN", "JALAN,JALAN", "x\x01y"]
    assert nz.normalize_addresses(addrs).tolist() == [nz.normalize_address(a) for a in addrs]
    assert nz.normalize_addresses(addrs[:-1]).tolist() == [nz.normalize_address(a) for a in addrs[:-1]]


def test_link_reader_fast_path_reads_the_same_values(tmp_path):
    pytest.importorskip("pyarrow")
    from pdpb_pipeline.linkage.files import read_canonical_csv, read_link_csv
    from pdpb_pipeline.linkage.prepare import USED

    path = tmp_path / "p.csv"
    path.write_text("\ufeffid,nama,extra,nik\n1,\"SITI, S.PD.\",x,3201\n2,,y,\n3,NA,z, 0012\n", encoding="utf-8")
    slow = read_canonical_csv(path, USED)
    fast = read_link_csv(path)
    for c in USED:
        assert list(fast[c].astype(object)) == list(slow[c]), c


def test_nik_compared_by_parts_not_string_distance():
    a = pd.DataFrame({"id": ["a"] * 4, "nik": ["3201150703850002"] * 4})
    b = pd.DataFrame({"id": list("wxyz"), "nik": [
        "3201150703850003",   # twin: serial one digit apart
        "3201150703850417",   # same kecamatan, same birthday, another person
        "3201160703850002",   # one wrong digit in the region part: typo
        "3201150703580002",   # two swapped digits in the birth part: typo
    ]})
    rec = prepare([a, b])
    lv = nik_levels(rec, np.arange(4), np.arange(4, 8))
    names = [COMPARISONS[0].levels[i] for i in lv]
    assert names == ["serial_beda_satu_digit", "serial_beda", "salah_satu_digit", "salah_satu_digit"]


# --- a roll with the hard cases -------------------------------------------------------------------

def person(id, nik, nkk, nama, lahir, jk, alamat, rt, rw, desa, tempat="BOGOR", kawin="S"):
    return dict(id=id, nik=nik, nkk=nkk, nama=nama, tempat_lahir=tempat, tanggal_lahir=lahir,
                jenis_kelamin=jk, status_kawin=kawin, alamat=alamat, rt=rt, rw=rw, kode_desa=desa)


D1, D2 = "32.01.15.2003", "32.01.22.2005"
HARD_ROLL = [
    person("R_RIZKI", "3201151203900001", "3201150101100001", "MUHAMMAD RIZKI FAUZAN", "1990-03-12", "L",
           "KP. CIBEREUM NO. 4", "002", "005", D1),
    person("R_AMINAH", "3201155506880001", "3201150101100002", "SITI AMINAH", "1988-06-15", "P",
           "KP. SUKAMAJU NO. 9", "003", "001", D1),
    person("R_AMINAH2", "3201154211880003", "3201150101100003", "SITI AMINAH", "1988-11-02", "P",
           "JL. MERDEKA NO. 2", "004", "002", D1),
    person("R_JOKO", "3201150505600001", "3201150101100004", "DJOKO SOESILO", "1960-05-05", "L",
           "KP. PASIR NO. 1", "001", "001", D1),
    person("R_ELIS", "3201154703850001", "3201150101100005", "ELIS NURHASANAH", "1985-03-07", "P",
           "KP. BABAKAN NO. 3", "005", "002", D1),
    person("R_TWIN", "3201152008010002", "3201150101100006", "HASAN BASRI", "2001-08-20", "L",
           "DUSUN KRAJAN NO. 7", "006", "003", D1),
    person("R_AYAH", "3201150102700001", "3201150101100007", "BUDI SANTOSO", "1970-02-01", "L",
           "JL. MAWAR NO. 12", "007", "004", D1),
    person("R_IBU", "3201154509720001", "3201150101100007", "RATNA DEWI", "1972-09-05", "P",
           "JL. MAWAR NO. 12", "007", "004", D1),
    person("R_PINDAH", "3201221010750001", "3201220101100008", "AGUS SETIAWAN", "1975-10-10", "L",
           "PERUM GRIYA ASRI BLOK C NO. 5", "008", "009", D2),
    person("R_PLACEHOLDER", "3333333333333333", "3201150101100009", "YUYUN WAHYUNI", "1979-12-24", "P",
           "KP. CILEUNGSI NO. 8", "009", "001", D1),
    person("R_NIKPUNYA", "3201151411660001", "3201150101100010", "TATANG SUTISNA", "1966-11-14", "L",
           "KP. PASIR NO. 20", "001", "002", D1),
]

# feed rows: (row, expected roll id or None for a person not on the roll)
HARD_FEED = [
    (person("F_TITLES", "", "", "H. MOCH. RIZKI FAUZAN, S.PD.", "1990-03-12", "L", "KP CIBEREUM NO 4", "2", "5", D1),
     "R_RIZKI"),
    (person("F_ORDER", "", "", "RIZKI FAUZAN MUHAMMAD", "1990-03-12", "L", "", "", "", D1), "R_RIZKI"),
    (person("F_SITI", "", "", "ST. AMINAH", "1988-06-15", "P", "KP. SUKAMAJU NO. 9", "003", "001", D1),
     "R_AMINAH"),
    (person("F_EJAAN", "", "", "JOKO SUSILO", "1960-05-05", "L", "KP. PASIR NO. 1", "001", "001", D1),
     "R_JOKO"),
    (person("F_TUKAR", "", "", "ELIS NURHASANA", "1985-07-03", "P", "KP. BABAKAN NO. 3", "005", "002", D1),
     "R_ELIS"),
    (person("F_NIKTYPO", "3201151203930001", "", "MUHAMMAD RIZKI FAUZAN", "1990-03-12", "L", "", "", "", D1),
     "R_RIZKI"),
    (person("F_PINDAH", "3201221010750001", "", "AGUS SETIAWAN", "1975-10-10", "L",
            "JL. RAYA BOGOR NO. 77", "001", "003", "32.01.30.2004"), "R_PINDAH"),
    (person("F_PLACEHOLDER", "3333333333333333", "", "YUYUN WAHYUNI", "1979-12-24", "P", "", "", "", D1),
     "R_PLACEHOLDER"),
    (person("F_MANGLED", "", "", "M. RIZKY FAUZAN", "1990-03-12", "L", "", "", "", D1), "R_RIZKI"),
    # traps: not on the roll
    (person("F_TWIN", "3201152008010003", "3201150101100006", "HUSEN BASRI", "2001-08-20", "L",
            "DUSUN KRAJAN NO. 7", "006", "003", D1), None),
    (person("F_ANAK", "3201150307990001", "3201150101100007", "BUDI SANTOSO", "1999-07-03", "L",
            "JL. MAWAR NO. 12", "007", "004", D1), None),
    (person("F_PEMULA", "3201154804090001", "3201150101100007", "NABILA PUTRI", "2009-04-08", "P",
            "JL. MAWAR NO. 12", "007", "004", D1), None),
    (person("F_AMINAH_LAIN", "", "", "SITI AMINAH", "1988-01-20", "P", "KP. BARU NO. 1", "010", "003", D1),
     None),
    (person("F_NIKDIPAKAI", "3201151411660001", "", "ROSITA DEWI", "1990-02-02", "P", "", "", "", D2),
     None),
]


@pytest.fixture(scope="module")
def hard():
    rng = np.random.default_rng(7)
    filler = fake.make_roll(4000, rng, [D1, D2, "32.01.30.2004", "32.01.01.2001"])
    roll = pd.concat([filler, pd.DataFrame(HARD_ROLL)], ignore_index=True)
    # ordinary feed rows (copies of roll persons) so EM sees a realistic mix
    copies = filler.sample(600, random_state=3).copy()
    copies["id"] = "C_" + copies["id"]
    feed = pd.concat([copies, pd.DataFrame([r for r, _ in HARD_FEED])], ignore_index=True)
    result = link(feed, roll, LinkConfig())
    return feed, roll, result


def _decision(result, feed_id):
    links = result.links.set_index("feed_id")
    if feed_id not in links.index:
        return None, None
    row = links.loc[feed_id]
    return row["roll_id"], row["decision"]


@pytest.mark.parametrize("feed_id,expected", [(r["id"], e) for r, e in HARD_FEED if e])
def test_variants_of_one_person_are_matched(hard, feed_id, expected):
    _, _, result = hard
    assert _decision(result, feed_id) == (expected, "match"), result.explain(feed_id)


@pytest.mark.parametrize("feed_id", [r["id"] for r, e in HARD_FEED if e is None])
def test_relatives_namesakes_and_borrowed_nik_are_never_matched(hard, feed_id):
    _, _, result = hard
    roll_id, decision = _decision(result, feed_id)
    assert decision != "match", result.explain(feed_id)


def test_ordinary_copies_all_match(hard):
    feed, _, result = hard
    links = result.links
    copies = links[links["feed_id"].str.startswith("C_")]
    assert (copies["decision"] == "match").all()
    assert (copies["feed_id"].str[2:] == copies["roll_id"]).all()


def test_one_roll_record_is_not_claimed_by_two_feed_people(hard):
    _, _, result = hard
    m = result.links[result.links["decision"] == "match"]
    claims = m.groupby("roll_id")["feed_id"].nunique()
    # R_RIZKI is claimed by several rows of the SAME person (identical name and birth date)
    assert set(claims[claims > 1].index) <= {"R_RIZKI"}


def test_evidence_columns_and_candidates(hard):
    _, _, result = hard
    links = result.links
    for col in ("feed_id", "roll_id", "probability", "decision", "match_weight",
                "nik_level", "nik_weight", "nama_level", "nama_weight", "tanggal_lahir_level",
                "rumah_tangga_level", "rumah_tangga_weight"):
        assert col in links.columns
    assert set(links["decision"]) <= {"match", "review"}
    assert links["probability"].between(0, 1).all()
    assert len(result.candidates) >= len(links)
    row = links.set_index("feed_id").loc["F_TUKAR"]
    assert row["tanggal_lahir_level"] == "hari_bulan_tertukar"
    assert row["nik_level"] == "kosong" and row["nik_weight"] == 0


def test_explanation_says_why_and_masks_nik(hard):
    feed, roll, result = hard
    text = result.explain("F_NIKTYPO")
    assert "MATCH" in text and "NIK" in text and "Nama" in text and "Tanggal lahir" in text
    assert "salah_satu_digit" in text
    full_ids = set(feed["nik"]) | set(roll["nik"]) | set(feed["nkk"]) | set(roll["nkk"])
    for fid in ("F_NIKTYPO", "F_TWIN", "F_ANAK", "F_NIKDIPAKAI", "F_PINDAH"):
        text = result.explain(fid)
        found = set(re.findall(r"\d{16}", text))
        assert not (found & full_ids), fid
    assert "household" in result.explain("F_TWIN") or "NON-MATCH" in result.explain("F_TWIN")


def test_thresholds_move_links_between_match_and_review(hard):
    feed, roll, result = hard
    strict = link(feed, roll, LinkConfig(upper=1.0, lower=result.thresholds["lower"]))
    assert (strict.links["decision"] == "review").all()
    assert len(strict.links) == len(result.links)
    assert strict.thresholds["upper_source"] == "config"
    loose = link(feed, roll, LinkConfig(lower=0.999999, upper=0.999999))
    assert len(loose.links) <= len(result.links)
    assert (loose.links["probability"] >= 0.999999).all()


# --- deduplication --------------------------------------------------------------------------------

def test_deduplicate_finds_sidalih_classes():
    rng = np.random.default_rng(11)
    roll = fake.make_roll(3000, rng, [D1, D2])
    base = roll.iloc[[10, 20, 30]].copy()
    moved = base.iloc[[0]].assign(id="G1", alamat="JL. LAIN NO. 99", kode_desa=D2, rt="009")
    other = base.iloc[[1]].assign(id="G2", nama="ROSITA DEWI", tanggal_lahir="1999-09-09")
    similar = base.iloc[[2]].assign(id="G3", nik="", nama="H. " + base.iloc[2]["nama"])
    roll = pd.concat([roll, moved, other, similar], ignore_index=True)
    dups = deduplicate(roll)
    assert set(dups.columns) >= {"id_a", "id_b", "probability", "decision", "kelas"}
    assert set(dups["kelas"]) <= set(KELAS)
    got = {frozenset((a, b)): k for a, b, k in zip(dups["id_a"], dups["id_b"], dups["kelas"])}
    assert got[frozenset((base.iloc[0]["id"], "G1"))] == "identik_kecuali_alamat"
    assert got[frozenset((base.iloc[1]["id"], "G2"))] == "nik_sama_nama_beda"
    assert got[frozenset((base.iloc[2]["id"], "G3"))] == "mirip"
    assert len(dups) < 60  # not every family pair of 3,000 voters (a few namesakes remain)


def test_dedupe_self_join_yields_the_pairs_of_the_general_join():
    from pdpb_pipeline.linkage import blocking
    rng = np.random.default_rng(5)
    for cap in (2, 3, 7, 50):
        k = rng.integers(-1, 300, 2000)
        r = rng.permutation(3000)[:2000]
        a, b = blocking.join(k, r, k, r, cap)
        want = set(zip(a[a < b].tolist(), b[a < b].tolist()))
        a2, b2 = blocking.self_join_pairs(k, r, cap)
        assert (a2 < b2).all()
        assert set(zip(a2.tolist(), b2.tolist())) == want and len(a2) == len(want)


def test_deduplicate_does_not_match_twins_or_namesakes_born_the_same_day():
    rng = np.random.default_rng(12)
    roll = fake.make_roll(3000, rng, [D1, D2])
    base = roll.iloc[[40, 50]].copy()
    twin = base.iloc[0]
    serial = int(twin["nik"][-4:])
    twin = base.iloc[[0]].assign(id="T1", nik=twin["nik"][:-4] + f"{serial % 9998 + 1:04d}",
                                 nama="X" + twin["nama"])
    other = base.iloc[1]
    region = str((int(other["nik"][5]) + 1) % 10)
    namesake = base.iloc[[1]].assign(id="N1", nik=other["nik"][:5] + region + other["nik"][6:],
                                     kode_desa=D2 if other["kode_desa"] != D2 else D1,
                                     alamat="JL. JAUH NO. 7", rt="011", rw="009",
                                     nkk="3201990000000001", tempat_lahir="MEDAN")
    roll = pd.concat([roll, twin, namesake], ignore_index=True)
    dups = deduplicate(roll)
    got = {frozenset((a, b)): d for a, b, d in zip(dups["id_a"], dups["id_b"], dups["decision"])}
    assert got.get(frozenset((base.iloc[0]["id"], "T1"))) != "match"
    assert got.get(frozenset((base.iloc[1]["id"], "N1"))) != "match"


# --- the `pdpb link` file contract ----------------------------------------------------------------

def test_link_files_contract(tmp_path, hard):
    feed, roll, _ = hard
    feed = feed.assign(sumber="disdukcapil").drop(columns=["status_kawin"])
    feed_csv, roll_csv, out_csv = tmp_path / "feed.csv", tmp_path / "roll.csv", tmp_path / "out" / "links.csv"
    feed.to_csv(feed_csv, index=False)
    roll.to_csv(roll_csv, index=False)
    summary = link_files(feed_csv, roll_csv, out_csv)
    out = pd.read_csv(out_csv, dtype=str, keep_default_na=False)
    assert list(out.columns[:4]) == ["feed_id", "roll_id", "probability", "decision"]  # then the evidence
    assert out["feed_id"].is_unique
    assert set(out["decision"]) <= {"match", "review"}
    assert set(out["feed_id"]) <= set(feed["id"]) and set(out["roll_id"]) <= set(roll["id"])
    assert summary["match"] + summary["review"] + summary["non_match"] == len(feed)
    assert not (set(out["feed_id"]) & {"F_TWIN", "F_ANAK"}) or \
        set(out.set_index("feed_id").loc[list(set(out["feed_id"]) & {"F_TWIN", "F_ANAK"}), "decision"]) == {"review"}


def test_link_handles_empty_fields_and_empty_inputs(tmp_path):
    roll = pd.DataFrame([HARD_ROLL[0]])
    feed = pd.DataFrame({"id": ["x"], "nama": [""]})
    result = link(feed, roll)
    assert result.links.empty
    assert "NON-MATCH" in result.explain("x")


# --- FEBRL4 ---------------------------------------------------------------------------------------

def test_febrl4_f1_without_labels():
    from pdpb_lab.bench import febrl

    feed, roll = febrl.frames()
    scores = febrl.evaluate(link(feed, roll), feed)
    assert scores["f1"] >= 0.999, scores


# --- the real path: synthetic regency -> feed ingest -> link, scored against the truth ------------

def test_quality_on_a_generated_regency_through_the_real_ingest(tmp_path):
    """A small regency from ``pdpb_lab.synth`` (three months of agency files, ingested the
    way the pipeline ingests them) linked to its baseline DPT through the ``pdpb link`` file
    contract, scored person-level against the generator's truth."""
    from pdpb_lab.bench import link as bench

    info = bench.build_feeds(tmp_path, 40_000, seed=3, months=3)
    case = info.get("padded", info["month1"])
    out = tmp_path / "links.csv"
    link_files(case["feed_csv"], info["roll_csv"], out)
    links = pd.read_csv(out, dtype=str, keep_default_na=False)
    truth = pd.read_csv(case["truth_csv"], dtype=str, keep_default_na=False)
    base = pd.read_csv(info["baseline_truth"], dtype=str, keep_default_na=False)
    q = bench.score(links, truth, base)
    assert q["feed_rows"] >= 500 and q["true_links"] >= 250
    assert q["precision"] >= 0.999, q
    assert q["recall"] >= 0.99, q
    assert q["review_share"] <= 0.03, q
