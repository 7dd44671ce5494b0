"""``python -m nbspey`` runs the command line."""

import sys

from nbspey.cli import main

sys.exit(main())
