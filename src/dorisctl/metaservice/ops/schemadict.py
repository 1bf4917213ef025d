"""Schema dictionaries on the wire: get_schema_dict, the dictionary step of get_rowset
(`schema_op`) and of committing a variant rowset (model/schemadict.py holds the logic).

Each operation is `async def op(svc, txn, req) -> Reply`; no transport types here.
"""

from __future__ import annotations

from dorisctl.kv import Txn
from dorisctl.metaservice.context import Reply, Service
from dorisctl.metaservice.errors import invalid
from dorisctl.metaservice.model.instances import resolve_instance_id
from dorisctl.metaservice.model.schemadict import fill_schema, read_dict, write_schema_dict
from dorisctl.metaservice.model.tablets import load_tablet_index
from dorisctl.metaservice.proto import cloud_pb2, olap_file_pb2

Op = cloud_pb2.GetRowsetRequest


async def get_schema_dict(svc: Service, txn: Txn, req: cloud_pb2.GetSchemaDictRequest) -> Reply:
    """The index's dictionary; an index without one answers OK with an empty dictionary."""
    iid = await resolve_instance_id(svc, txn, req.cloud_unique_id)
    if not iid:
        raise invalid("empty instance_id")
    if not req.HasField("index_id"):
        raise invalid("missing index_id in request")
    resp = cloud_pb2.GetSchemaDictResponse()
    resp.schema_dict.CopyFrom(await read_dict(txn, iid, req.index_id))
    return Reply(result=resp)


async def apply_schema_dict(
    txn: Txn, iid: str, index_id: int, resp: cloud_pb2.GetRowsetResponse, schema_op: int
) -> None:
    """get_rowset: when a returned rowset uses the dictionary, fill the schemas from it
    (FILL_WITH_DICT) or return it beside them (RETURN_DICT); NO_DICT leaves both alone."""
    if schema_op == Op.NO_DICT or not any(rs.HasField("schema_dict_key_list") for rs in resp.rowset_meta):
        return
    d = await read_dict(txn, iid, index_id)
    if schema_op == Op.RETURN_DICT:
        resp.schema_dict.CopyFrom(d)
        return
    for rs in resp.rowset_meta:
        if rs.HasField("schema_dict_key_list"):
            fill_schema(rs, d)


async def store_variant_schema(txn: Txn, iid: str, rs: olap_file_pb2.RowsetMetaCloudPB) -> None:
    """commit_rowset / update_tmp_rowset of a rowset with variant columns: its extended items
    to the index's dictionary before the schema is stored."""
    if not rs.has_variant_type_in_schema:
        return
    if not rs.HasField("index_id"):
        rs.index_id = (await load_tablet_index(txn, iid, rs.tablet_id)).index_id
    await write_schema_dict(txn, iid, rs)
