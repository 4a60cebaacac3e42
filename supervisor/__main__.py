"""`python -m supervisor`: see `supervisor.run`."""

import sys

from supervisor.run import main

sys.exit(main())
