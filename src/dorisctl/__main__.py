import sys

from dorisctl.cli import main

sys.exit(main())
