"""pdpb-lab: the bench of pdpb-pipeline (not part of the product; the pipeline never imports it).

``synth`` (the synthetic regency generator, ``pdpb synth``), ``scoring`` (a published month
against the generator's truth), ``fake`` (a fast stand-in roll and feed for linkage tests) and
``bench`` (the one benchmark entry point, ``pdpb bench synth|feeds|link|cycle``, with one case
cache: ``cases``). ``cli`` holds the two commands the ``pdpb`` command line hands over to.
"""
