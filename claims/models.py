"""Claims asserted across articles, their verdicts, discussion and audit trail."""
