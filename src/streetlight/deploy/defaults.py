"""A patrol plan's defaults, named once for the library and the command line's flags.

Kept in a module of their own, with no imports, so the command line can show them in `--help`
without loading the solver (every `streetlight` call would pay for it).
"""

# The crime type a plan targets unless told otherwise (data.police.uk's name for it).
VIOLENCE = "Violence and sexual offences"
CELL_M = 150.0  # study-area cell size, metres (as `streetlight hotspots`)
SHIFT_SHARES = "early:0.3,late:0.35,night:0.35"  # share of a day's officers per shift
UNIT_SIZE = 2  # officers per unit: pairs on foot
RADIUS_M = 400.0  # foot-patrol radius around a post, metres (about 5 minutes' walk)
MAX_PER_POST = 2  # most units at one post
DECAY = 0.5  # value of a second unit in reach of a cell relative to the first
WOMEN_SHARE = 0.2  # least share of units at women's-safety places
TIME_LIMIT_S = 30.0  # solver seconds per shift
GAP = 0.01  # the solver stops once its plan is proven within this share of the best possible
BACKTEST_TIME_LIMIT_S = 10.0  # solver seconds per shift and month in a plan backtest
BUSY_WEIGHT = 0.25  # hot-cell equivalents per busy snap-point cell (`deploy.places`)
# The harm table a plan weighs crimes by: the packaged Cambridge Crime Harm Index days per
# category (`hotspots.harm.CCHI`; `deploy.harm` says why it is the default).
HARM = "cchi"
# W: hot-cell equivalents of a cell as reported as the top 1% of cells (`deploy.places`).
REPORTS_WEIGHT = 0.5
