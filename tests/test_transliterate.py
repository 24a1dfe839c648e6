"""Accented letters are spelled alike on every side: a feed's JOSE NUNEZ is the DPT's JOSÉ ÑUÑEZ."""

import pandas as pd

from pdpb_pipeline.feeds.parse import clean_names
from pdpb_pipeline.linkage.prepare import prepare
from pdpb_pipeline.domain.transliterate import spell


def _person(**values) -> pd.DataFrame:
    base = {"id": "x", "nik": "", "nkk": "", "nama": "", "tempat_lahir": "", "tanggal_lahir": pd.Timestamp("1990-05-01"),
            "jenis_kelamin": "L", "status_kawin": "S", "alamat": "", "rt": "001", "rw": "002",
            "kode_desa": "32.01.01.1001"}
    return pd.DataFrame([{**base, **values}])


def test_letters_are_spelled_never_dropped():
    assert spell("JOSÉ ÑUÑEZ") == "JOSE NUNEZ"
    assert clean_names(pd.Series(["josé ñuñez", "Søren Straße", "Ana Lúcia d’Ávila"])).tolist() == [
        "JOSE NUNEZ", "SOREN STRASSE", "ANA LUCIA D'AVILA"]


def test_linkage_compares_the_dpt_spelling_with_the_feed_spelling():
    feed = _person(id="f1", nama="JOSE NUNEZ", tempat_lahir="SAO PAULO", alamat="JL. CAFE NO. 3")
    roll = _person(id="r1", nama="JOSÉ ÑUÑEZ", tempat_lahir="SÃO PAULO", alamat="JL. CAFÉ NO. 3")
    rec = prepare([feed, roll], tf_rows=slice(1, None))
    assert rec.names["norm"][rec.name_code[0]] == rec.names["norm"][rec.name_code[1]] == "JOSE NUNEZ"
    assert rec.places[rec.place_code[0]] == rec.places[rec.place_code[1]]
    assert rec.addr_norm_code[0] == rec.addr_norm_code[1] >= 0
