"""Conduct reports: the public's and staff's form at /conduct, the reporter's receipt pages, and
the recipients' desk."""
