"""Helpers shared by the tests and the benchmarks (headless Chromium, NLU evaluation)."""
