"""A timing prototype of columnar checking, NOT a validator: how fast could the bulk path be?

The README's c/a section cites it. It generates the bench corpus and, on one core, reads each
~32 MiB block with pyarrow's JSON reader (explicit nested schema), runs a subset of the fast
check's work as Arrow compute and numpy (anchors against the text through UTF-32 code points,
id patterns, ids used twice, entity, event and role references), runs the lints per document
(:meth:`newsanno.fastcheck.FastChecker._lint`), and writes a subset of the export columns to
Parquet. It leaves out claims and quote references, speaker mentions, utterances, dates, URLs,
metadata, duplicate annotations, text anchors and every fallback, and it is not compared with the
full validator: its figure is a lower bound on that route's cost, not a result.

    .venv/bin/python scripts/columnar_prototype.py --docs 10000
"""

import argparse
import gc
import hashlib
import io
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pj
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).parent))
from parse_floor import _arrow_schema, parse_all, synthetic_shard

from newsanno.fastcheck import FastChecker
from newsanno.model import ID_PATTERN

SCHEMA = _arrow_schema()
OPTS = pj.ParseOptions(explicit_schema=SCHEMA, unexpected_field_behavior="error")
fc: Any = None
ENT = EVT = EVT_TYPE = ROLE_PAIRS = MKINDS = pa.array([], pa.string())


def utf32(arr: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Code points of all values of a string array, and each value's start in them."""
    arr = pa.concat_arrays([arr]) if arr.offset else arr
    offs = np.frombuffer(arr.buffers()[1], dtype=np.int32)[: len(arr) + 1]
    data = arr.buffers()[2].to_pybytes()[offs[0] : offs[-1]] if arr.buffers()[2] else b""
    cps = np.frombuffer(data.decode("utf-8").encode("utf-32-le"), dtype=np.uint32)
    lens = pc.utf8_length(arr).to_numpy(zero_copy_only=False)
    starts = np.zeros(len(arr) + 1, dtype=np.int64)
    np.cumsum(lens, out=starts[1:])
    return cps, starts


def spans_ok(doc_cps, doc_starts, parent, span):
    s = span.field("start").to_numpy(zero_copy_only=False)
    e = span.field("end").to_numpy(zero_copy_only=False)
    given = span.field("text")
    size = np.diff(doc_starts)[parent]
    ok = (s >= 0) & (s < e) & (e <= size)
    gcps, gstarts = utf32(given)
    glen = np.diff(gstarts)
    ok &= glen == (e - s)
    # compare the code points of every row whose bounds and length fit
    n = np.where(ok, glen, 0)
    first = np.zeros(len(n) + 1, dtype=np.int64)
    np.cumsum(n, out=first[1:])
    within = np.arange(first[-1]) - np.repeat(first[:-1], n)
    text_at = np.repeat(doc_starts[parent] + s, n) + within
    given_at = np.repeat(gstarts[:-1], n) + within
    bad = np.nonzero(doc_cps[text_at] != gcps[given_at])[0]
    if len(bad):
        ok[np.searchsorted(first, bad, side="right") - 1] = False
    return ok, s, e


def layer(tbl, name):
    col = tbl.column(name).combine_chunks()
    parent = pc.list_parent_indices(col).to_numpy()
    flat = col.flatten()
    offsets = col.offsets.to_numpy()
    ordinal = np.arange(len(flat)) - offsets[:-1][parent]
    return flat, parent, ordinal


def process(tbl, writers, out, lint=True):
    n = tbl.num_rows
    bad = np.zeros(n, dtype=bool)
    text = tbl.column("text").combine_chunks()
    doc_id = tbl.column("doc_id").combine_chunks()
    doc_cps, doc_starts = utf32(text)
    texts = text.to_pylist()
    shas = tbl.column("text_sha256").to_pylist()
    for i, (t, h) in enumerate(zip(texts, shas, strict=True)):
        if hashlib.sha256(t.encode()).hexdigest() != h:
            bad[i] = True
    out_tables = {}
    per_doc = {k: [[] for _ in range(n)] for k in ("seg", "reg", "men")}
    for name, key in (
        ("regions", "span"),
        ("mentions", "span"),
        ("claims", "span"),
        ("event_mentions", "trigger"),
    ):
        flat, parent, ordinal = layer(tbl, name)
        ok, s, e = spans_ok(doc_cps, doc_starts, parent, flat.field(key))
        ids = flat.field("id")
        ok &= pc.match_substring_regex(ids, ID_PATTERN).to_numpy(zero_copy_only=False)
        if name == "mentions":
            ok &= pc.is_in(flat.field("entity"), value_set=ENT).to_numpy(zero_copy_only=False)
            ok &= pc.is_in(flat.field("kind"), value_set=MKINDS).to_numpy(zero_copy_only=False)
        if name == "event_mentions":
            ok &= pc.is_in(flat.field("event"), value_set=EVT).to_numpy(zero_copy_only=False)
        bad[parent[~ok]] = True
        # duplicate ids per doc
        t = pa.table({"d": parent, "id": ids})
        g = t.group_by(["d", "id"]).aggregate([("id", "count")])
        dup = g.filter(pc.greater(g["id_count"], 1))["d"].to_numpy()
        bad[dup] = True
        gathered = pc.take(doc_id, pa.array(parent))
        cols = {
            "doc_id": gathered,
            "id": ids,
            "ordinal": ordinal,
            "start": s,
            "end": e,
            "text": flat.field(key).field("text"),
        }
        if name in ("regions", "mentions"):
            sp = per_doc["reg" if name == "regions" else "men"]
            for p, a, b in zip(parent.tolist(), s.tolist(), e.tolist(), strict=True):
                sp[p].append((a, b))
        out_tables[name] = (parent, pa.table(cols))
    # quotes
    qcol = tbl.column("quotes").combine_chunks()
    qflat = qcol.flatten()
    qparent = pc.list_parent_indices(qcol).to_numpy()
    content = qflat.field("content")
    segs = content.flatten()
    sparent_q = pc.list_parent_indices(content).to_numpy()
    sparent = qparent[sparent_q]
    ok, s, e = spans_ok(doc_cps, doc_starts, sparent, segs)
    bad[sparent[~ok]] = True
    for p, a, b in zip(sparent.tolist(), s.tolist(), e.tolist(), strict=True):
        per_doc["seg"][p].append((a, b))
    seg_text = pa.ListArray.from_arrays(content.offsets, segs.field("text"))
    qtext = pc.binary_join(seg_text, " ")
    qstart = np.minimum.reduceat(s, content.offsets.to_numpy()[:-1]) if len(s) else s
    out_tables["quotes"] = (
        qparent,
        pa.table(
            {
                "doc_id": pc.take(doc_id, pa.array(qparent)),
                "id": qflat.field("id"),
                "text": qtext,
                "start": qstart,
                "segments": content,
            }
        ),
    )
    sp = qflat.field("speaker")
    ok = pc.or_kleene(pc.is_null(sp), pc.is_in(sp, value_set=ENT)).to_numpy(zero_copy_only=False)
    bad[qparent[~ok]] = True
    # arguments: roles allowed for the event type
    em = tbl.column("event_mentions").combine_chunks()
    emflat = em.flatten()
    emparent = pc.list_parent_indices(em).to_numpy()
    args = emflat.field("arguments")
    aflat = args.flatten()
    aparent = emparent[pc.list_parent_indices(args).to_numpy()]
    etype = pc.take(
        EVT_TYPE,
        pc.index_in(pc.take(emflat.field("event"), pc.list_parent_indices(args)), value_set=EVT),
    )
    pair = pc.binary_join_element_wise(etype, aflat.field("role"), "|")
    ok = pc.is_in(pair, value_set=ROLE_PAIRS).to_numpy(zero_copy_only=False)
    ok &= pc.is_in(aflat.field("entity"), value_set=ENT).to_numpy(zero_copy_only=False)
    bad[aparent[~ok]] = True
    out_tables["event_arguments"] = (
        aparent,
        pa.table(
            {
                "doc_id": pc.take(doc_id, pa.array(aparent)),
                "role": aflat.field("role"),
                "entity": aflat.field("entity"),
            }
        ),
    )
    # lints, per document
    if lint:
        for i in range(n):
            try:
                fc._lint(texts[i], per_doc["seg"][i], per_doc["reg"][i], per_doc["men"][i])
            except Exception:
                bad[i] = True
    # export: drop bad docs, write
    keep_docs = ~bad
    out_tables["documents"] = (np.arange(n), tbl.select(["doc_id", "text", "text_sha256"]))
    for name, (parent, t) in out_tables.items():
        t = t.filter(pa.array(keep_docs[parent]))
        w = writers.get(name)
        if w is None:
            w = writers[name] = pq.ParquetWriter(
                out / f"{name}.parquet", t.schema, compression="snappy"
            )
        w.write_table(t)
    return int(bad.sum())


def use_world(world: Any) -> None:
    """Index a :class:`newsanno.checks.World` for the checks."""
    global fc, ENT, EVT, EVT_TYPE, ROLE_PAIRS, MKINDS
    fc = FastChecker(world)
    ENT = pa.array(sorted(fc.entities))
    EVT = pa.array(sorted(fc.events))
    EVT_TYPE = pa.array([fc.events[e] for e in sorted(fc.events)])
    ROLE_PAIRS = pa.array(sorted(f"{t}|{r}" for t, rs in fc.roles.items() for r in rs))
    MKINDS = pa.array(sorted(fc.mention_kinds))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=10_000)
    args = parser.parse_args()
    from newsanno.bulk import chunks
    from newsanno.validate import Validator

    with tempfile.TemporaryDirectory(prefix="newsanno-columnar-") as tmp:
        folder = Path(tmp)
        shard = synthetic_shard(folder, args.docs)
        v = Validator()
        v.load_world(folder / "corpus.yaml")
        assert v.world is not None
        use_world(v.world)
        out = folder / "out"
        out.mkdir()
        gc.freeze()
        data = shard.read_bytes()
        t0 = time.perf_counter()
        parse_all(data.splitlines())
        a = time.perf_counter() - t0
        print(f"{args.docs:,} documents; orjson parse {a:.2f} s")
        for lint in (False, True):
            writers: dict[str, Any] = {}
            t0 = time.perf_counter()
            bad = 0
            for chunk in chunks([shard], None):  # the bulk path's ~32 MiB line-aligned cut
                block = data[chunk.start : chunk.stop]
                tbl = pj.read_json(io.BytesIO(block), parse_options=OPTS)
                bad += process(tbl, writers, out, lint)
            for w in writers.values():
                w.close()
            c = time.perf_counter() - t0
            print(
                f"lints {'on ' if lint else 'off'}: columnar subset {c:.2f} s = {c / a:.2f}x the "
                f"parse; documents flagged {bad}"
            )


if __name__ == "__main__":
    main()
