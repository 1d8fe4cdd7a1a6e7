"""``python -m kplan_report`` runs the command line, like the ``kplan-report`` script."""

import sys

from .cli import main

sys.exit(main())
