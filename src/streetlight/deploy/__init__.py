"""Deploying patrols: where each unit goes, per shift, to cover the most expected harm."""
