"""Allow ``python -m lime_reasoning``."""

import sys

from lime_reasoning.cli import main

sys.exit(main())
