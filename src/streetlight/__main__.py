"""`python -m streetlight` runs the command line."""

from streetlight.cli.entry import main

if __name__ == "__main__":  # not again in `serve --workers` processes, which are spawned
    main()
