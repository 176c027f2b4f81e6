"""Offender units: casework for the people behind violence against women and girls.

Personal data processed for law enforcement (Data Protection Act 2018, Part 3): every access is
audited, records carry review dates, and nothing of it goes into a log line, an error message or
a public page.
"""
