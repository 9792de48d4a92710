"""Documented size limits of the calculation core (a case above a limit is invalid, with the field named)."""

from typing import Final

#: inventory: activity lines per case (JSON path; larger batches go through inventory.compute_batch)
MAX_LINES: Final = 200_000
#: gwp: gases per case
MAX_GASES: Final = 200
#: inclusion: events and methodologies per case
MAX_EVENTS: Final = 1_000_000
MAX_METHODOLOGIES: Final = 1_000
#: peak: years in a series
MAX_SERIES_YEARS: Final = 1_000
#: projection: Monte Carlo draws per case
MAX_DRAWS: Final = 1_000_000
#: projection: sectors, projected years (end_year - base_year) and growth periods per sector
MAX_SECTORS: Final = 100
MAX_PROJECTION_YEARS: Final = 200
MAX_GROWTH_PERIODS: Final = 200
#: projection: draws x sectors x projected years (the number of normal variates drawn)
MAX_DRAW_CELLS: Final = 400_000_000
#: intensity_reduction: round_intensity_dp range
MAX_ROUND_DP: Final = 12
#: years accepted anywhere (inventory year, series years, projection years)
MIN_YEAR: Final = 1900
MAX_YEAR: Final = 2200
#: data-quality thresholds of the county accounts (fractions): the energy balance's statistical difference
#: relative to total consumption, and a year-on-year change that asks for a second look
BALANCE_TOLERANCE: Final = 0.05
YOY_CHANGE_FLAG: Final = 0.3
#: peak scenarios: a path staying this close to its peak value (fraction) for this many years is a plateau
PLATEAU_BAND: Final = 0.02
PLATEAU_YEARS: Final = 5
#: a scenario driver is a yearly rate: anything at or beyond ±50 % a year is an input mistake (percent for fraction)
MAX_YEARLY_RATE: Final = 0.5
