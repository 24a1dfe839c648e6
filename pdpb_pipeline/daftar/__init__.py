"""The monthly agency lists (daftar): what each regency office needs from an agency's file.

One spec table (``spec.SPECS``) names every list: the feed(s) it reads, the published file,
its parts and the function that builds them from what upstream assets stored (feed rows, link
decisions, proposals, the month's roll). One asset factory (``assets.daftar``) makes one asset
per spec; ``publikasi`` publishes them (``output.publish``).
"""
