"""opendeur: the application shell (settings, store, command line, demo)."""

__version__ = "0.1.0"
