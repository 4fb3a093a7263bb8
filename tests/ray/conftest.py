"""The Ray tests import Ray with its loopback setting already made, as a careful user would.

`RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0` is Ray's public switch for a machine that is no cluster
node (Ray reads it once, at import): with it set before Ray is imported, `local_cluster` needs
no correction of Ray's state. The README's Ray block imports Ray first, without it, and covers
the other path.
"""

from __future__ import annotations

import os

os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
