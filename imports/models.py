"""Import batches of article dumps and the records they rejected."""
