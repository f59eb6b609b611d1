"""``python -m ddisync_simulator [options]``: the same as ``ddisync-simulator [options]``."""

import sys

from .command import main

sys.exit(main())
