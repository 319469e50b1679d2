"""Benchmarks: `make bench` runs them all and prints figures (medians; machines are noisy)."""
