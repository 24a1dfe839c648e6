"""The roll (DPB): its versioned storage, the change rules, eligibility and the recap."""
