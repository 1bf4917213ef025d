"""``python -m dorisctl.manager ...``: run the manager without the top-level CLI."""

import sys

from .cli import main

sys.exit(main())
