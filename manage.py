#!/usr/bin/env python
"""Kept for habit; `wrekin` is the same command."""

from wrekin.cli import main

if __name__ == "__main__":
    main()
