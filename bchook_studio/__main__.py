import sys

from bchook_studio.cli import main

sys.exit(main())
