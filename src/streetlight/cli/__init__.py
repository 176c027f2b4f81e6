"""The `streetlight` command line: thin commands over the library."""
