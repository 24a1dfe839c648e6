"""NIK structure, the faults real lists carry, and masking."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from pdpb_pipeline.domain import nik
from pdpb_pipeline.definitions import build_definitions
from pdpb_pipeline.resources.settings import Publication


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


def test_a_feeds_niks_get_the_same_reasons_at_once():
    values = ["", "   ", "32010103128500", "32010103128500AB", "3333333333333333", "1234567890123456",
              "3201010312850000", "3201013212850017", "9901010312850017", "3201010312850017", None]
    assert nik.nik_faults(values) == [nik.nik_fault(v) for v in values]
    assert nik.nik_faults(values)[4:7] == [nik.NIK_PLACEHOLDER] * 3 and nik.nik_faults(values)[-2:] == [None, nik.NIK_KOSONG]
    numbers = ["3201010312850017", "3333333333333333", "9876543210987654", "3201000000000000", "12", "",
               "32010103128500AB", "33333333333333333", "١٢٣"]
    assert nik.placeholders(numbers).tolist() == [nik.is_placeholder(v) for v in numbers] == [
        False, True, True, True, True, False, False, False, False]


def test_old_split_region_code_is_still_a_nik():
    # Kecamatan 32.01.99 does not exist today, but a NIK keeps the code it was issued with.
    assert nik.nik_fault("3201990312850017") is None
    assert nik.nik_fault("3201010312850017") is None


def test_masking_hides_ten_of_sixteen_digits_by_default():
    nik.use_mask_rule("6,0")
    assert nik.mask("3201014312850018") == "320101**********"
    assert nik.mask_series(pd.Series(["3201014312850018", "", "12"])).tolist() == ["320101**********", "", "**"]


def test_masking_rule_is_configurable():
    nik.use_mask_rule("4,2")
    assert nik.mask("3201014312850018") == "3201**********18"
    assert nik.mask_series(pd.Series(["3201014312850018"])).tolist() == ["3201**********18"]


@pytest.mark.parametrize("keep", ["6,0", "4,2", "0,0", "0,4", "3,3", "0,6"])
def test_column_masking_is_mask_value_for_value(keep):
    nik.use_mask_rule(keep)
    values = ["3201014312850018", "", "12", " 3201014312850018", "3201014312850018 ", "32010143128500189",
              "abcdefghijklmnop", "\t3201014312850018\n", "a b c d e f g h ", "320101431285001",
              "3201 0143 1285 0018", "320101.431285.0018", "3.20101E+15", "1E+05", "12-03"]
    assert nik.mask_series(pd.Series(values)).tolist() == [nik.mask(v) for v in values]
    # missing values are empty, numbers are masked as their text
    assert nik.mask_series(pd.Series([None, float("nan"), 3201014312850018], dtype=object)).tolist() == [
        "", "", nik.mask("3201014312850018")]


@pytest.mark.parametrize("keep", ["12,3", "7,0", "4,3", "0,7", "6", "", "a,b", "-1,2", "6;0", "6,0,1"])
def test_a_mask_rule_showing_more_than_six_digits_or_malformed_is_refused(keep):
    nik.use_mask_rule("4,2")
    if keep == "":  # set but empty: the default rule
        assert nik.use_mask_rule(keep) == (6, 0)
        return
    with pytest.raises(ValueError, match=r"PDPB_MASK_KEEP=.*HEAD,TAIL.*at most 6 in all"):
        nik.use_mask_rule(keep)
    assert nik.mask_rule() == (4, 2)  # the rule in force stays
    with pytest.raises(ValueError, match="PDPB_MASK_KEEP"):
        Publication(mask_keep=keep)


def test_a_wrong_mask_rule_stops_the_process_when_the_definitions_load(monkeypatch):
    """PDPB_MASK_KEEP is read where the definitions are built; a wrong value stops the process
    there, at start-up, and a right one masks everything the process writes from then on."""
    from pdpb_pipeline.definitions import from_environment

    with pytest.raises(ValueError, match=r"PDPB_MASK_KEEP='12,3' would show 15 digits"):
        from_environment({"PDPB_MASK_KEEP": "12,3"})
    monkeypatch.setenv("PDPB_MASK_KEEP", " 4 , 2 ")
    _, resources = from_environment()
    assert resources["publication"].mask_keep == " 4 , 2 "  # a value (masking happens outside runs too)
    build_definitions(resources=resources)
    assert nik.mask("3201014312850018") == "3201**********18"
    assert nik.mask_text("NIK 3201014312850018") == "NIK 3201**********18"


def test_a_run_masks_by_its_publication_resource():
    nik.use_mask_rule("6,0")
    Publication(mask_keep="0,4").setup_for_execution(None)
    assert nik.mask("3201014312850018") == "************0018"


# A real NIK typed every way agencies type it, and what must be left of it in free text.
TYPED = [
    ("7301 0305 1088 0004", "730103**********"),
    ("731612.161180.0002", "731612**********"),
    ("7301-0305-1088-0004", "730103**********"),
    ("7301/0305/1088/0004", "730103**********"),
    ("7301030510880004", "730103**********"),
    ("730103051088000", "730103*********"),  # 15 digits
    ("73010305108800041", "730103***********"),  # 17 digits
    ("730103 051088 0004", "730103**********"),
    ("3.20101E+15", "320101**********"),  # Excel's scientific form keeps only the first digits
    ("3,20101E+15", "320101**********"),
    ("3.201014312850E+15", "320101**********"),
    ("320101431285", "320101******"),  # 12 digits: too many to show
]


@pytest.mark.parametrize("typed,masked", TYPED)
def test_free_text_is_masked_in_every_spelling(monkeypatch, typed, masked):
    nik.use_mask_rule("6,0")
    row = f'{{"NIK": "{typed}", "NAMA": "SITI AMINAH", "TGL LAHIR": "03-05-1988", "RT": "001"}}'
    assert nik.mask_text(row) == f'{{"NIK": "{masked}", "NAMA": "SITI AMINAH", "TGL LAHIR": "03-05-1988", "RT": "001"}}'
    assert nik.mask_text(f"nik: {typed}") == f"nik: {masked}"


def test_free_text_masking_follows_the_rule_and_keeps_short_numbers(monkeypatch):
    nik.use_mask_rule("4,2")
    text = "baris 12: NIK 7301 0305 1088 0004, NKK=7301031505100003, tgl 12-03-1985, RT 001/RW 002, 1E+05"
    assert nik.mask_text(text) == "baris 12: NIK 7301**********04, NKK=7301**********03, tgl 12-03-1985, RT 001/RW 002, 1E+05"
    assert nik.mask_text(nik.mask_text(text)) == nik.mask_text(text)
    nik.use_mask_rule("0,0")
    assert nik.mask_text("3.20101E+15 dan 7301-0305-1088-0004") == "**************** dan ****************"
    assert nik.mask_text("") == "" and nik.mask_text("sama dengan baris 12") == "sama dengan baris 12"


def test_no_masked_text_keeps_more_digits_of_an_identifier_than_the_rule_allows(monkeypatch):
    nik.use_mask_rule("3,3")
    for typed, _ in TYPED:
        out = nik.mask_text(f"ket: {typed} (salah ketik)")
        assert sum(c.isdigit() for c in out) <= 6, out


def test_a_nik_cell_typed_with_separators_is_masked_like_any_other(monkeypatch):
    nik.use_mask_rule("6,0")
    for typed in ("3201 0143 1285 0018", "320101.431285.0018", "3201-0143-1285-0018", "3.20101E+15", "3,20101E+15"):
        assert nik.mask(typed) == "320101**********" == nik.mask_text(typed), typed
    assert nik.mask("320101 431285 001") == "320101*********"  # 15 digits
