"""Migration ids are unique within each Piccolo app: two files with the same ``ID`` count as one
migration, and the second is silently never applied (this happened when two branches each added
a core migration with the same timestamp)."""

from __future__ import annotations

import importlib
import re
from collections import Counter
from pathlib import Path


def test_every_app_has_unique_migration_ids(host):
    for app_module in host.piccolo_apps:
        config = importlib.import_module(app_module).APP_CONFIG
        folder = Path(config.migrations_folder_path)
        ids = Counter(
            re.search(r'^ID = "([^"]+)"', path.read_text(encoding="utf-8"), re.M).group(1)
            for path in folder.glob("*.py")
            if path.name != "__init__.py"
        )
        assert [i for i, n in ids.items() if n > 1] == [], (
            f"{config.app_name}: {ids.most_common(3)}"
        )
