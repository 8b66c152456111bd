"""Benchmarks run by ``kiosk bench NAME``: one module each, printing figures, never asserting."""
