"""Screening instrument definitions (YAML), shipped with Wrekin.

A package only so that packaging carries the YAML files with it; the loader lives in
wrekin/referrals/instrument_files.py. Areas add their own files in WREKIN_INSTRUMENTS_DIR.
"""
