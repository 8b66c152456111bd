"""Tests written against surviving mutants of the module's security checks (scripts/mutation)."""
