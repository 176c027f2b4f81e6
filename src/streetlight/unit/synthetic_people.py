"""The synthetic force's people: where they live, and their age, sex, self-defined ethnicity and
obviously synthetic names, recorded with the gaps a force's records have.

Synthetic: nobody here exists. Surnames all start "SYNTH-" and forenames come from a fixed list of
words that are not given names, so a synthetic record can never be mistaken for a real one.

Pure functions of a numpy `Generator` and arrays; `synthetic.generate` calls them.

- Homes: a mixture of the towns of a Teesside-like area in British National Grid metres (EPSG:27700,
  x 440,000-470,000, y 505,000-530,000), each town's people spread around its centre. The centres
  are approximate and the weights only roughly follow population; nothing is an address.
- Ethnicity: the 18+1 self-defined codes of the 2011 census (W1 ... O9, and "NS" for not stated),
  drawn from shares roughly those of the area (2021 census: mostly White British, the largest
  minority Pakistani). Offending in the generator does not depend on ethnicity, so a disparity
  report on its rankings should find none beyond what age and sex and recording bring. Recording
  does differ: a suspect who was arrested has had ethnicity asked in custody and is "not stated"
  far less often than one never arrested, a victim or a witness (overall about a quarter is "NS"
  or blank, as in police records: Home Office, "Police powers and procedures", where
  self-defined ethnicity is not stated for roughly a fifth to a third of people).
- Age: suspects of domestic abuse mostly 20 to 50 (median mid-thirties), sexual-offence suspects
  older and including some under 18 (ONS, "Sexual offences prevalence and victim characteristics",
  and "Domestic abuse in England and Wales" overviews, for the shapes, not fitted).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from streetlight.db.enums import Sex

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

# The area: British National Grid metres. Nothing is placed outside.
BOX = (440_000.0, 505_000.0, 470_000.0, 530_000.0)  # x min, y min, x max, y max


@dataclass(frozen=True)
class Town:
    name: str
    x: float
    y: float
    weight: float  # share of the area's people (roughly population)
    spread: float  # metres: standard deviation of homes around the centre
    nightlife: bool = False  # a town centre where the night-time economy draws people


TOWNS: tuple[Town, ...] = (
    Town("Middlesbrough", 449_700, 520_200, 0.22, 2_300, nightlife=True),
    Town("Stockton-on-Tees", 444_300, 518_900, 0.16, 2_100, nightlife=True),
    Town("Thornaby", 445_400, 516_300, 0.06, 1_200),
    Town("Billingham", 446_600, 524_100, 0.07, 1_500),
    Town("Redcar", 460_900, 524_800, 0.08, 1_800, nightlife=True),
    Town("Eston and Normanby", 456_100, 518_600, 0.08, 1_500),
    Town("Guisborough", 461_500, 515_700, 0.04, 1_000),
    Town("Ingleby Barwick", 444_300, 513_800, 0.04, 1_000),
    Town("Saltburn", 466_300, 521_600, 0.02, 700),
    Town("Yarm", 441_800, 512_700, 0.02, 700),
    Town("Marton and Nunthorpe", 451_500, 515_500, 0.06, 1_400),
    Town("Acklam", 448_200, 517_100, 0.06, 1_200),
    Town("Coulby Newham", 450_500, 514_400, 0.05, 900),
    Town("South Bank and Grangetown", 454_500, 520_500, 0.04, 900),
)

# Self-defined ethnicity, the 18 census codes (2011) with rough shares for the area; "NS" = not
# stated is the "+1" and is added by `ethnicity` with the recording gaps.
ETHNICITY: tuple[tuple[str, float], ...] = (
    ("W1", 0.855), ("W2", 0.003), ("W3", 0.002), ("W9", 0.025),
    ("M1", 0.004), ("M2", 0.002), ("M3", 0.005), ("M9", 0.003),
    ("A1", 0.006), ("A2", 0.045), ("A3", 0.003), ("A4", 0.005), ("A9", 0.010),
    ("B1", 0.001), ("B2", 0.013), ("B9", 0.002),
    ("O2", 0.006), ("O9", 0.010),
)  # fmt: skip
NOT_STATED = "NS"

SURNAMES: tuple[str, ...] = tuple(
    "SYNTH-" + word
    for word in [
        "AMBER",
        "BASALT",
        "COBALT",
        "DOLOMITE",
        "EMBER",
        "FELDSPAR",
        "GARNET",
        "GRANITE",
        "GYPSUM",
        "INDIGO",
        "JADE",
        "KAOLIN",
        "LAPIS",
        "MARBLE",
        "NICKEL",
        "OBSIDIAN",
        "ONYX",
        "PUMICE",
        "QUARTZ",
        "RUTILE",
        "SHALE",
        "SLATE",
        "TALC",
        "TOPAZ",
        "UMBER",
        "ZIRCON",
        "BORAX",
        "CINNABAR",
        "MICA",
        "OCHRE",
    ]
)
FORENAMES: tuple[str, ...] = tuple(
    [
        "Alpha",
        "Bravo",
        "Delta",
        "Echo",
        "Foxtrot",
        "Golf",
        "Hotel",
        "Kilo",
        "Lima",
        "November",
        "Papa",
        "Quebec",
        "Tango",
        "Uniform",
        "Whiskey",
        "Xray",
        "Yankee",
        "Zulu",
    ]
)
INITIALS = "ABCDEFGHJKLMNPRSTVWZ"


def homes(rng: np.random.Generator, n: int) -> tuple[FloatArray, FloatArray]:
    """`n` home locations (x, y metres), each near the centre of a town drawn by weight."""
    weights = np.array([t.weight for t in TOWNS])
    town = rng.choice(len(TOWNS), size=n, p=weights / weights.sum())
    cx = np.array([t.x for t in TOWNS])[town]
    cy = np.array([t.y for t in TOWNS])[town]
    spread = np.array([t.spread for t in TOWNS])[town]
    x = cx + rng.normal(0.0, 1.0, n) * spread
    y = cy + rng.normal(0.0, 1.0, n) * spread
    return clip_to_box(x, y)


def clip_to_box(x: FloatArray, y: FloatArray) -> tuple[FloatArray, FloatArray]:
    return np.clip(x, BOX[0], BOX[2]), np.clip(y, BOX[1], BOX[3])


def nearest_nightlife(x: FloatArray, y: FloatArray) -> tuple[FloatArray, FloatArray]:
    """The centre of the night-time-economy town nearest each point (metres)."""
    centres = np.array([(t.x, t.y) for t in TOWNS if t.nightlife])
    d2 = (x[:, None] - centres[None, :, 0]) ** 2 + (y[:, None] - centres[None, :, 1]) ** 2
    nearest = np.argmin(d2, axis=1)
    return centres[nearest, 0], centres[nearest, 1]


def sexes(rng: np.random.Generator, p_male: FloatArray) -> npt.NDArray[np.str_]:
    """Sex as recorded: male with probability `p_male` (per person), else female; one in two
    hundred recorded as unknown."""
    u = rng.random(len(p_male))
    out = np.where(u < p_male, Sex.MALE.value, Sex.FEMALE.value)
    return np.where(rng.random(len(p_male)) < 0.005, Sex.UNKNOWN.value, out)


def suspect_ages(rng: np.random.Generator, sexual: BoolArray) -> FloatArray:
    """Age in years when first coming to notice: domestic abuse 16 + Gamma(3.5, 5.5) (median
    about 34, one in seven under 24); sexual offences 18 + Gamma(2.5, 9) (median about 38) with
    one in eight aged 12-17."""
    n = len(sexual)
    domestic = 16.0 + rng.gamma(3.5, 5.5, n)
    older = 18.0 + rng.gamma(2.5, 9.0, n)
    juvenile = rng.uniform(12.0, 18.0, n)
    sexual_age = np.where(rng.random(n) < 0.125, juvenile, older)
    return np.minimum(np.where(sexual, sexual_age, domestic), 90.0)


def adult_ages(rng: np.random.Generator, n: int, mean: float) -> FloatArray:
    """Ages of adults (16 and over) with the given mean, skewed to the young as victims are."""
    return np.minimum(16.0 + rng.gamma(2.0, (mean - 16.0) / 2.0, n), 90.0)


def ethnicity(rng: np.random.Generator, p_not_stated: FloatArray) -> npt.NDArray[np.object_]:
    """Self-defined ethnicity as recorded: a census code, or, with probability `p_not_stated`
    (per person), "NS" (two in three of the gaps) or nothing at all (None)."""
    n = len(p_not_stated)
    codes = np.array([c for c, _ in ETHNICITY], dtype=object)
    shares = np.array([s for _, s in ETHNICITY])
    out = codes[rng.choice(len(codes), size=n, p=shares / shares.sum())]
    gap = rng.random(n) < p_not_stated
    blank = gap & (rng.random(n) < 1.0 / 3.0)
    out = np.where(gap, NOT_STATED, out)
    out[blank] = None
    return out


def names(
    rng: np.random.Generator, n: int
) -> tuple[npt.NDArray[np.object_], npt.NDArray[np.object_]]:
    """Synthetic (surname, forenames): "SYNTH-GARNET", "Kilo M"."""
    surnames = np.array(SURNAMES, dtype=object)
    forenames = np.array([f"{f} {i}" for f in FORENAMES for i in INITIALS], dtype=object)
    return (
        surnames[rng.integers(0, len(surnames), n)],
        forenames[rng.integers(0, len(forenames), n)],
    )
