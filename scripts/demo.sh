#!/usr/bin/env bash
# The demo behind `make demo`: two synthetic regencies, two months each, through Dagster.
set -euo pipefail
cd "$(dirname "$0")/.."
PDPB=.venv/bin/pdpb
LANDING=${PDPB_LANDING_DIR:-var/landing}
START=2026-01
END=2026-02
CITY=36.73      # Kota Serang
REGENCY=32.01   # Kabupaten Bogor (demo size)

step() { printf '\n== %s\n' "$*"; }

step "Generating the synthetic regencies into $LANDING (pdpb synth: the lab, lab/)"
$PDPB synth --regency $CITY --voters 20000 --months 2 --start $START --seed 1 --out "$LANDING"
$PDPB synth --regency $REGENCY --voters 50000 --months 2 --start $START --seed 2 --out "$LANDING"

step "Kabupaten Bogor ($REGENCY): $START to $END"
$PDPB run --regency $REGENCY --month $START --to $END

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
$PDPB run --regency $CITY --month $END

step "Published rolls"
for code in $REGENCY $CITY; do
    for month in $START $END; do
        $PDPB rekap --regency $code --month $month
    done
done

cat <<MSG

Done.
  Landing zone:  $LANDING
  Warehouse:     ${PDPB_WAREHOUSE_URL:-var/warehouse.sqlite}
  Dagster home:  ${DAGSTER_HOME}
  A voter's history:  .venv/bin/pdpb explain --regency $CITY --id DPT-$CITY-0000001
  Lineage in the UI:  make ui   then http://127.0.0.1:3000 : Assets (graph, partitions,
                      metadata of rekap and publikasi), Runs, Automation (schedule, sensor)
MSG
