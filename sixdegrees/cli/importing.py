"""`sixdegrees import-d1`: bring the earlier deployment's data over (see ops/legacy_import.py)."""
