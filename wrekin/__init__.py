"""Wrekin: a multi-agency platform against child sexual and criminal exploitation."""

__version__ = "0.1.0"
