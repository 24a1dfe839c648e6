"""The review queue's reasons counted by their code in the step's metadata."""

import pandas as pd

from pdpb_pipeline.roll.antrean import reason_codes


def test_reasons_are_counted_by_code_not_by_the_record_they_name():
    alasan = pd.Series(["ganda dengan DPB-32.01-2026-01-000109 (mirip)", "ganda dengan DPB-32.01-2026-01-000132 (mirip)",
                        "tautan_ragu", "nik_tidak_sah;tanggal_lahir_beda_nik", "instansi_bukan_sumber_sah"])
    counts = reason_codes(alasan).value_counts()
    assert counts.to_dict() == {"ganda": 2, "tautan_ragu": 1, "nik_tidak_sah": 1, "instansi_bukan_sumber_sah": 1}
