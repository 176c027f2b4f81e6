"""`python -m streetlight` runs the command line."""

from streetlight.cli.main import main

main()
