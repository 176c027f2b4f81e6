"""Public reports of places where people feel unsafe (StreetSafe-style): what they may say,
how they are kept private, moderated, and turned into a per-cell perception layer."""
