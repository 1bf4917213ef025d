"""Entry point: ``python3 dorisctl-agent.pyz --config agent.json`` (or ``python -m dorisctl.agent``)."""

import sys

from .main import main

sys.exit(main())
