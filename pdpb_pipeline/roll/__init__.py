"""The roll (DPB): eligibility, the event rules, proposals, duplicates, applying changes, the recap."""
