"""The analysts' desk: the moderation queue of public reports, and the map of reports beside the
hotspot forecast."""
