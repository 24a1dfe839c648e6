"""NIK structure, the faults real lists carry, and masking."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from pdpb_pipeline import nik


def test_build_nik_encodes_region_birth_date_and_sex():
    man = nik.build_nik("32.01.01", dt.date(1985, 12, 3), "L", 17)
    woman = nik.build_nik("32.01.01", dt.date(1985, 12, 3), "P", 18)
    assert man == "3201010312850017"
    assert woman == "3201014312850018"  # 40 added to the day for women
    decoded = nik.birth_and_sex(pd.Series([man, woman]), reference=dt.date(2026, 1, 1))
    assert decoded["lahir"].dt.date.tolist() == [dt.date(1985, 12, 3)] * 2
    assert decoded["jenis_kelamin"].tolist() == ["L", "P"]


def test_century_follows_the_reference_date():
    born = nik.birth_and_sex(pd.Series(["3201010101090001", "3201010101300001"]), reference=dt.date(2026, 1, 1))
    assert born["lahir"].dt.year.tolist() == [2009, 1930]


@pytest.mark.parametrize(
    "value, reason",
    [
        ("", nik.NIK_KOSONG),
        ("   ", nik.NIK_KOSONG),
        ("32010103128500", nik.NIK_FORMAT),
        ("32010103128500AB", nik.NIK_FORMAT),
        ("3333333333333333", nik.NIK_PLACEHOLDER),
        ("1234567890123456", nik.NIK_PLACEHOLDER),
        ("3201010312850000", nik.NIK_PLACEHOLDER),  # serial 0000
        ("3201013212850017", nik.NIK_TANGGAL),  # day 32
        ("3201010313850017", nik.NIK_TANGGAL),  # month 13
        ("9901010312850017", nik.NIK_WILAYAH),  # no province 99
        ("3201000312850017", nik.NIK_WILAYAH),  # kecamatan 00
    ],
)
def test_unusable_niks_get_a_reason(value, reason):
    assert nik.nik_fault(value) == reason


def test_old_split_region_code_is_still_a_nik():
    # Kecamatan 32.01.99 does not exist today, but a NIK keeps the code it was issued with.
    assert nik.nik_fault("3201990312850017") is None
    assert nik.nik_fault("3201010312850017") is None


def test_masking_hides_ten_of_sixteen_digits_by_default(monkeypatch):
    monkeypatch.delenv("PDPB_MASK_KEEP", raising=False)
    assert nik.mask("3201014312850018") == "320101**********"
    assert nik.mask_series(pd.Series(["3201014312850018", "", "12"])).tolist() == ["320101**********", "", "**"]


def test_masking_rule_is_configurable(monkeypatch):
    monkeypatch.setenv("PDPB_MASK_KEEP", "4,2")
    assert nik.mask("3201014312850018") == "3201**********18"
    assert nik.mask_series(pd.Series(["3201014312850018"])).tolist() == ["3201**********18"]


@pytest.mark.parametrize("keep", ["6,0", "4,2", "0,0", "0,4", "10,6", "12,8"])
def test_column_masking_is_mask_value_for_value(monkeypatch, keep):
    monkeypatch.setenv("PDPB_MASK_KEEP", keep)
    values = ["3201014312850018", "", "12", " 3201014312850018", "3201014312850018 ", "32010143128500189",
              "abcdefghijklmnop", "\t3201014312850018\n", "a b c d e f g h ", "320101431285001"]
    assert nik.mask_series(pd.Series(values)).tolist() == [nik.mask(v) for v in values]
    # missing values are empty, numbers are masked as their text
    assert nik.mask_series(pd.Series([None, float("nan"), 3201014312850018], dtype=object)).tolist() == [
        "", "", nik.mask("3201014312850018")]
