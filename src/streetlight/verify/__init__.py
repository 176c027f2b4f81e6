"""On-the-spot verification of an officer.

The advice to anyone stopped by a lone plain-clothes officer is to check that *this person is on
duty, this stop is logged and known to the control room, and a uniformed colleague is on the way*.
This package is that check, as plain functions over a database session:

- `codes`: one-time codes and their keyed digests (pure);
- `backup`: distances, ETAs and whom to send (pure);
- `decision`: what a public check found, from a snapshot of the database (pure);
- `engagements`: an officer logs an engagement (idempotent), gets a code, backup is requested;
- `service`: a member of the public checks a warrant number and code;
- `chat`, `console`: the control room's side; `events`: its live feed, shared by every process.

The web layer (`streetlight.web.verify`, `web.officer`, `web.console`) only translates HTTP.
"""
