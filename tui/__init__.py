"""vonage-tui: a keyboard-driven terminal app for Vonage numbers, balance, secrets and pools.

Kept empty on purpose: importing ``tui`` must stay cheap so start-up is fast.
"""

__version__ = "0.1.0"
