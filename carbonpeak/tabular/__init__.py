"""One module for every tabular import and export (house rule: what two apps share lives at the lowest layer
that needs it; no domain app is imported here).

- :mod:`.reading`: CSV/Excel into numbered rows, bounded (:mod:`.limits`), Chinese or English headers.
- :mod:`.report`: the script contract's report, and its grouped form for pages.
- :mod:`.writing`: every xlsx and CSV export neutralises formula-like text; the downloadable templates.
"""

from carbonpeak.tabular.limits import Limits
from carbonpeak.tabular.reading import (
    Column,
    Table,
    Unreadable,
    cell_text,
    cell_value,
    check_header,
    open_workbook,
    read_file,
    read_rows,
    sheet_rows,
    split_ids,
)
from carbonpeak.tabular.report import Report

__all__ = [
    "Column",
    "Limits",
    "Report",
    "Table",
    "Unreadable",
    "cell_text",
    "cell_value",
    "check_header",
    "open_workbook",
    "read_file",
    "read_rows",
    "sheet_rows",
    "split_ids",
]
