"""A sensor that notices new or changed agency files and requests the runs of their partitions.

Files in a month folder that no feed reads (see ``LandingZone.unknown_files``) are said out
loud: in the sensor's log when they first appear, on the run request (tag
``pdpb/berkas_tidak_dikenali``) and in the skip reason of a quiet tick.
"""

from __future__ import annotations

import hashlib
import json

from dagster import DefaultSensorStatus, RunRequest, SensorEvaluationContext, SkipReason, sensor

from .domain.nik import mask_text
from .partitions import Partition
from .resources.landing import LandingZone

UNKNOWN_TAG = "pdpb/berkas_tidak_dikenali"
_UNKNOWN_CURSOR = "~tidak_dikenali"  # cursor entry: {partition key: names already reported}


def month_folders(landing: LandingZone, regencies: list[str]):
    """``(partition key, regency, month)`` of every month folder in the landing zone."""
    for regency in regencies:
        folder = landing.path / "landing" / regency
        if folder.is_dir():
            for month_dir in sorted(p for p in folder.iterdir() if p.is_dir()):
                yield f"{month_dir.name}-01|{regency}", regency, month_dir.name


def landing_signatures(landing: LandingZone, regencies: list[str]) -> dict[str, str]:
    """``{partition key: signature of its files}`` for every month folder in the landing zone."""
    out: dict[str, str] = {}
    for key, regency, month in month_folders(landing, regencies):
        files = landing.files(regency, month)
        if files:
            stat = [(p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in files]
            out[key] = hashlib.sha256(json.dumps(stat).encode()).hexdigest()[:16]
    return out


def unknown_by_partition(landing: LandingZone, regencies: list[str]) -> dict[str, list[str]]:
    """``{partition key: names (masked) of the files no feed reads}`` for every month folder."""
    out: dict[str, list[str]] = {}
    for key, regency, month in month_folders(landing, regencies):
        unknown = landing.unknown_files(regency, month)
        if unknown:
            out[key] = [mask_text(str(u)) for u in unknown]
    return out


def build_landing_sensor(job, monthly):
    regencies = monthly.get_partitions_def_for_dimension("regency").get_partition_keys()

    @sensor(
        name="berkas_baru_sensor",
        job=job,
        minimum_interval_seconds=300,
        default_status=DefaultSensorStatus.STOPPED,
        description="Requests a run for every regency-month whose agency files are new or changed.",
    )
    def berkas_baru_sensor(context: SensorEvaluationContext, landing: LandingZone):
        seen = json.loads(context.cursor) if context.cursor else {}
        current = landing_signatures(landing, regencies)
        unknown = unknown_by_partition(landing, regencies)
        reported = seen.get(_UNKNOWN_CURSOR, {})
        for key, names in sorted(unknown.items()):
            if reported.get(key) != names:
                part = Partition.from_key(key)
                context.log.warning(f"{part.regency} {part.month}: {len(names)} berkas tidak dikenali, "
                                    f"tidak dibaca: {'; '.join(names)}")
        seen[_UNKNOWN_CURSOR] = unknown
        months = set(monthly.get_partitions_def_for_dimension("month").get_partition_keys())
        requests = []
        for key, signature in sorted(current.items()):
            if seen.get(key) == signature:
                continue
            part = Partition.from_key(key)
            if f"{part.month}-01" not in months:
                continue  # the month is not over: its partition does not exist yet
            tags = {UNKNOWN_TAG: "; ".join(unknown[key])[:1000]} if key in unknown else {}
            requests.append(RunRequest(run_key=f"{key}:{signature}", partition_key=part.key, tags=tags))
            seen[key] = signature
        context.update_cursor(json.dumps(seen, sort_keys=True))
        if requests:
            return requests
        if unknown:
            listed = "; ".join(f"{Partition.from_key(k).regency} {Partition.from_key(k).month}: {', '.join(v)}"
                               for k, v in sorted(unknown.items()))
            return SkipReason(f"no new or changed agency files; berkas tidak dikenali (tidak dibaca): {listed}")
        return SkipReason("no new or changed agency files")

    return berkas_baru_sensor
