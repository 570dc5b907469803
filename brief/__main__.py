"""`python -m brief`: the command line."""

import sys

from brief.cli import main

sys.exit(main())
