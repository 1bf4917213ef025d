"""The reply printer must match json.dumps(indent=4, ensure_ascii=False) exactly (spec 1.6)."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from dorisctl.metaservice.transport.http.pbjson import pretty_json

leaves = st.one_of(st.none(), st.booleans(), st.integers(), st.text())
docs = st.recursive(leaves, lambda c: st.one_of(st.lists(c, max_size=4), st.dictionaries(st.text(), c, max_size=4)))


@given(docs)
def test_pretty_json_matches_the_stdlib_layout(doc: object) -> None:
    assert pretty_json(doc) == json.dumps(doc, indent=4, ensure_ascii=False)


def test_escapes_like_doris() -> None:
    assert pretty_json({"a/b": 'x"\\\n\t\x01é'}) == '{\n    "a/b": "x\\"\\\\\\n\\t\\u0001é"\n}'
