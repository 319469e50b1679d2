"""The weekly signal report."""
