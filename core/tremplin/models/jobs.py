"""Long work (report builds, imports) kept in the database, so that any app process can
report its progress and hand its result to its owner."""

from piccolo.columns import JSON, ForeignKey, Integer, OnDelete, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

from tremplin.models.accounts import User


class Job(Table, tablename="job"):
    """One piece of long work: its kind (``report``, ``import``), owner, state (``queued``,
    ``running``, ``done``, ``failed``), progress (0–100 and a French step), parameters, the
    path of its result blob (relative to the data directory) and the error shown if it
    failed. A result expires (``expires_at``): the retention job deletes it. Indexes:
    ``tremplin_0016_jobs``."""

    id: Serial

    kind = Varchar(length=40)
    owner = ForeignKey(User, on_delete=OnDelete.restrict)
    state = Varchar(length=20, default="queued")
    progress = Integer(default=0)
    step = Varchar(length=200, default="")
    params = JSON(default={})
    #: Relative to the data directory; "" until done.
    result_path = Varchar(length=300, default="")
    result_name = Varchar(length=200, default="")
    result_media = Varchar(length=120, default="")
    #: A small JSON summary (the import's counts and problems), shown on the result page.
    summary = JSON(default={})
    error = Text(default="")
    created_at = Timestamptz()
    started_at = Timestamptz(null=True, default=None)
    updated_at = Timestamptz()
    finished_at = Timestamptz(null=True, default=None)
    expires_at = Timestamptz(null=True, default=None)
    #: The process running it (``host:pid:token``) and when that process last said it was
    #: alive: a job whose heartbeat is stale, or whose process is gone, is marked failed.
    #: Columns and index ``job_live``: ``tremplin_0019_job_heartbeat``.
    runner = Varchar(length=120, default="")
    heartbeat_at = Timestamptz(null=True, default=None)
