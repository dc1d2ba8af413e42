"""The Piccolo configuration module (``PICCOLO_CONF=tremplin.piccolo_conf``).

Piccolo reads ``DB`` and ``APP_REGISTRY`` from here each time it needs them;
:func:`tremplin.db.configure` fills them in from the settings and the enabled plugins,
so the registry always holds the core app plus the apps of the enabled plugins only.
"""

from piccolo.conf.apps import AppRegistry
from piccolo.engine.base import Engine

DB: Engine | None = None
APP_REGISTRY = AppRegistry(apps=["tremplin.piccolo_app"])
