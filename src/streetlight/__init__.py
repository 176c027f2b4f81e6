"""Streetlight: crime analysis and public-safety services for keeping women and girls safe."""

__version__ = "0.1.0"
