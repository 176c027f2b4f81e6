"""Confidential reports of an officer's conduct, from the public and from staff.

`crypto` seals each report for its recipients only: the server cannot read what it stores.
`routing` decides who receives a report (never the officer it is about nor their line of
command), `joining` connects reports about one officer and escalates repeated ones, `attachments`
checks what a reporter attaches and strips photos of where they were taken, `deadlines`
says when the legal deadlines fall and which reminders are due.
"""
