"""Output writers: the month's published files (publish), fast CSV and XLSX writers, atomic folders."""
