"""Pure Dutch text functions: normalise, scrub personal data, classify, readability, tone.

This package never touches the store, the network or the configuration (DESIGN §3).
"""
