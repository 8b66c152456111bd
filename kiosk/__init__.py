"""Self-service kiosk for online public services at post offices."""

__version__ = "0.1.0"
