"""`python -m benchmark` (what scripts/bench runs): main() of benchmark.cli; exit 130 on Ctrl-C."""

import sys

from .cli import main

try:
    sys.exit(main())
except KeyboardInterrupt:
    sys.exit(130)
