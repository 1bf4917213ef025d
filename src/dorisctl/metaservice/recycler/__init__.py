"""The recycler (spec 8): destroys DELETED instances and garbage-collects NORMAL ones.

config (knobs, job results), lease (one recycler per instance across processes), instance (what
is done to one instance), scheduler (`Recycler`: scans, queue, workers), objstore (S3 deletes).
It reads and writes the store through TxnKv, model and keys only; it imports no transport and no
operation.
"""

from dorisctl.metaservice.recycler.config import InstanceBusy, JobResult, LeaseLost, RecyclerConfig
from dorisctl.metaservice.recycler.scheduler import Recycler

__all__ = ["InstanceBusy", "JobResult", "LeaseLost", "Recycler", "RecyclerConfig"]
