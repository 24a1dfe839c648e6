"""Domain basics every stage shares: NIK/NKK, dates, the canonical schema, Kemendagri regions, transliteration."""
