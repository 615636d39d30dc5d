"""The ``newsanno`` command line: parse options, call the library, map results to exit codes.

Exit codes: 0 success (valid), 1 invalid data, 2 usage or I/O error.

The group and what the commands share are in ``base``; each other module adds its commands to it:
``dataset`` (validate, export, schema), ``explore`` (stats, render, compare), ``interop``
(import; export --to) and ``measure`` (bench, agree).
"""

from newsanno.cli.base import EXIT_INVALID, EXIT_OK, EXIT_USAGE, guarded, main, print_report
from newsanno.cli.dataset import export, schema, validate
from newsanno.cli.explore import compare, render, stats
from newsanno.cli.interop import import_
from newsanno.cli.measure import agree, bench

__all__ = [
    "EXIT_INVALID",
    "EXIT_OK",
    "EXIT_USAGE",
    "agree",
    "bench",
    "compare",
    "export",
    "guarded",
    "import_",
    "main",
    "print_report",
    "render",
    "schema",
    "stats",
    "validate",
]
