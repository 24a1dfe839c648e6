"""The bad-input corpus: agency files as they really arrive, each with its expected outcome."""
