"""carbonpeak: a county's carbon-peak plan, accounts and schemes as live data."""

__version__ = "0.1.0"
