"""``python -m ddisync.simulator [options]``: the same as ``ddisync simulator [options]``."""

import sys

from .command import main

sys.exit(main(["simulator", *sys.argv[1:]]))
