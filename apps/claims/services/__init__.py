"""Writes to claims, one module a verb: creating claims, tagging posts, endorsing, and
merging claims and undoing merges. Callers import the verb's module."""
