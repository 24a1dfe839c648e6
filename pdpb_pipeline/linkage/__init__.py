"""Record linkage for PDPB: who in the agency feeds is who on the roll, and duplicates (ganda).

Pure library (no Dagster)::

    from pdpb_pipeline.linkage import LinkConfig, link, deduplicate, link_files
    result = link(feed_df, roll_df, LinkConfig())
    result.links            # feed_id, roll_id, probability, decision, evidence per field
    result.candidates       # every scored candidate pair
    result.explain(feed_id) # why (masked NIK / NKK)
    deduplicate(roll_df)    # id_a, id_b, probability, decision, kelas
    link_files(feed_csv, roll_csv, out_csv)  # the `pdpb link` file contract

Modules: ``normalize`` (names, dates, NIK parts, addresses), ``prepare`` (frames -> arrays),
``blocking`` (candidate pairs by hash joins), ``compare`` (levels per field), ``model``
(Fellegi-Sunter, EM), ``decide`` (thresholds, one-to-one, explanations), ``training`` (m, u and the prior
fitted on the candidate pairs), ``api`` (link and deduplicate end to end), ``files`` (the
``pdpb link`` CSV contract),
``waterfall`` (``pdpb link --explain``); the recordlinkage framework:
``index`` (blocking rules as index algorithms), ``features`` (comparisons as compare features),
``classifier`` (the model as a classifier).
"""

from .api import KELAS, LinkResult, deduplicate, link
from .files import link_files, read_canonical_csv
from .config import LinkConfig

__all__ = ["KELAS", "LinkConfig", "LinkResult", "deduplicate", "link", "link_files",
           "read_canonical_csv"]
