"""The one point where rows derived from cases are kept in step with them.

`cases_written` is sent inside the writing transaction, after a case and its audit event
were written: by `record_event` for every action's event on a case, and by the importer
once for all the cases of an import (after their links and history). Receivers (the
statistics' summary rows, the units' involvement) recompute what they keep for those
cases from the rows as they now are, so a receiver never depends on how a case changed.
"""

from django.dispatch import Signal

# Keyword argument: case_ids (a list of case primary keys).
cases_written = Signal()
