"""`python -m brief`: the command line."""

import sys

from brief.engine.cli import main

sys.exit(main())
