"""``python -m tidelog.sender``: started by the trainer, never by users."""

import sys

from tidelog.sender.main import main

sys.exit(main())
