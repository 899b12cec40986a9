"""Writes to topics, threads and posts, one module a verb: posting, editing, a post's state
(deleted, removed, restored), threads (locking, deleting) and topics. Callers import the
verb's module."""
