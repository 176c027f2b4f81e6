"""Confidential reports of an officer's conduct, from the public and from staff.

`crypto` seals each report for its recipients only: the server cannot read what it stores.
"""
