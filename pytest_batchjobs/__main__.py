"""``python -m pytest_batchjobs serve``: the same as the ``batchjobs-fake`` console script."""

from __future__ import annotations

from .cli import main

raise SystemExit(main())
