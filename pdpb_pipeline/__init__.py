"""pdpb-pipeline: continuous voter-list updating (PDPB) for KPU Kabupaten/Kota offices."""

__version__ = "0.1.0"
