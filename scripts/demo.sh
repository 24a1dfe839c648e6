#!/usr/bin/env bash
# The demo behind `make demo`: two synthetic regencies, three months each, through Dagster, then the
# first quarter and the province and national recaps.
set -euo pipefail
cd "$(dirname "$0")/.."
PDPB=.venv/bin/pdpb
LANDING=${PDPB_LANDING_DIR:-var/landing}
START=2026-01
END=2026-02
LAST=2026-03
CITY=36.73      # Kota Serang
REGENCY=32.01   # Kabupaten Bogor (demo size)

step() { printf '\n== %s\n' "$*"; }

step "Generating the synthetic regencies into $LANDING (pdpb synth: the lab, lab/)"
$PDPB synth --regency $CITY --voters 20000 --months 3 --start $START --seed 1 --out "$LANDING"
$PDPB synth --regency $REGENCY --voters 50000 --months 3 --start $START --seed 2 --out "$LANDING"

step "Kabupaten Bogor ($REGENCY): $START to $LAST"
$PDPB run --regency $REGENCY --month $START --to $LAST

step "Kota Serang ($CITY): $START"
$PDPB run --regency $CITY --month $START

BROKEN="$LANDING/landing/$CITY/$END/tni_polri_susulan.csv"
step "Kota Serang ($CITY): $END, with a broken late file from TNI ($BROKEN)"
cp demo/tni_polri_rusak.csv "$BROKEN"
if $PDPB run --regency $CITY --month $END; then
    echo "expected the broken file to stop the partition" >&2
    exit 1
fi
step "Why it stopped: pdpb quarantine --regency $CITY --month $END --agency tni_polri"
$PDPB quarantine --regency $CITY --month $END --agency tni_polri | head -5

step "The officer sets the file aside and asks TNI for a corrected one; the month is re-run"
mkdir -p var/ditolak
mv "$BROKEN" var/ditolak/
$PDPB run --regency $CITY --month $END --to $LAST

step "Published rolls"
for code in $REGENCY $CITY; do
    for month in $START $END $LAST; do
        $PDPB rekap --regency $code --month $month
        echo "  audit page: ${PDPB_OUTPUT_DIR:-var/published}/$code/$month/audit/index.html"
    done
done

step "The first quarter of each regency (2026-Q1), rolled up from its three published months"
for code in $REGENCY $CITY; do
    $PDPB run --regency $code --period 2026-Q1
done
step "The first half-year (2026-H1): April to June are not published, so it is incomplete, not published"
if $PDPB run --regency $REGENCY --period 2026-H1; then
    echo "expected 2026-H1 to be incomplete" >&2
    exit 1
fi
step "Province recaps (Jawa Barat 32, Banten 36) for $LAST and 2026-Q1, and the national quarter"
for province in 32 36; do
    $PDPB run --province $province --month $LAST
    $PDPB run --province $province --period 2026-Q1
done
$PDPB run --national --period 2026-Q1

cat <<MSG

Done.
  Landing zone:  $LANDING
  Warehouse:     ${PDPB_WAREHOUSE_URL:-var/warehouse.sqlite}
  Dagster home:  ${DAGSTER_HOME}
  Audit page:    ${PDPB_OUTPUT_DIR:-var/published}/$REGENCY/$LAST/audit/index.html (open it in a browser, no server;
                 every month has one: .../<regency>/<month>/audit/index.html)
  Quarter:       ${PDPB_OUTPUT_DIR:-var/published}/$REGENCY/2026-Q1/, .../$CITY/2026-Q1/
  Provinces:     ${PDPB_OUTPUT_DIR:-var/published}/provinsi/{32,36}/{$LAST,2026-Q1}/ (other regencies listed as missing)
  Nation:        ${PDPB_OUTPUT_DIR:-var/published}/nasional/2026-Q1/
  Prisons:       ${PDPB_OUTPUT_DIR:-var/published}/<regency>/<month>/tps_khusus_<regency>_<month>.xlsx (TPS khusus),
                 .../terbatas/rujukan_disdukcapil_<regency>_<month>.csv (restricted: for Disdukcapil only)
  A voter's history:  .venv/bin/pdpb explain --regency $CITY --id DPT-$CITY-0000001
  Lineage in the UI:  make ui   then http://127.0.0.1:3000 : Assets (graph, partitions,
                      metadata of rekap and publikasi), Runs, Automation (schedule, sensor)
MSG
