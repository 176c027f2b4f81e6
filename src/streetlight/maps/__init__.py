"""Maps for analysts: a PNG for briefings and a self-contained interactive HTML page."""
