"""How fast can JSONL become columns at all? The floor figures behind the c/a figures of docs/performance.md.

Generates the bench's synthetic corpus (``--docs``, default 10,000) and times, in this process:
orjson (the bench's stage a), msgspec into typed structs (when installed), pyarrow's JSON
reader with the bulk path's explicit schema (both cores, then one thread, as a worker reads),
the compiled reader of :mod:`newsanno.read.native` (one thread, pieces of whole lines of at most
8 MiB), Polars ``read_ndjson``, DuckDB ``read_json``, and ``pa.array`` on the mention strings of
the first 2,000 documents (nanoseconds per value).
Each is the best of ``--repeat`` runs. It prints one line per measure; nothing is asserted.

    .venv/bin/python scripts/parse_floor.py --docs 10000
"""

import argparse
import gc
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def _best(repeat: int, run: Callable[[], Any]) -> float:
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best


def _msgspec_decoder() -> Callable[[bytes], Any]:
    """A msgspec decoder into typed structs shaped like the document schema (offset spans)."""
    from typing import Union

    import msgspec
    from msgspec import UNSET, Struct, UnsetType

    options: dict[str, Any] = {"forbid_unknown_fields": True, "gc": False}
    Opt = Union[str, UnsetType, None]  # noqa: UP007 - a runtime union for msgspec

    class Span(Struct, **options):
        start: int
        end: int
        text: Union[str, UnsetType] = UNSET  # noqa: UP007

    class Region(Struct, **options):
        id: str
        span: Span
        kind: str
        note: Opt = UNSET

    class Mention(Struct, **options):
        id: str
        span: Span
        entity: str
        kind: str
        note: Opt = UNSET

    class Quote(Struct, **options):
        id: str
        type: str
        content: list[Span]
        cue: Union[Span, UnsetType, None] = UNSET  # noqa: UP007
        speaker: Opt = UNSET
        speaker_mention: Opt = UNSET
        addressee: Opt = UNSET
        channel: Opt = UNSET
        platform: Opt = UNSET
        date: Opt = UNSET
        utterance: Opt = UNSET
        nested_in: Opt = UNSET
        note: Opt = UNSET

    class Claim(Struct, **options):
        id: str
        span: Span
        claimant: str
        type: str
        checkworthy: bool
        statement: str
        quote: Opt = UNSET
        note: Opt = UNSET

    class Argument(Struct, **options):
        role: str
        entity: str
        mention: Opt = UNSET

    class EventMention(Struct, **options):
        id: str
        trigger: Span
        event: str
        realis: str
        arguments: list[Argument] = []
        note: Opt = UNSET

    class Meta(Struct, **options):
        language: str
        outlet: Opt = UNSET
        title: Opt = UNSET
        published: Opt = UNSET
        url: Opt = UNSET
        source: Opt = UNSET
        note: Opt = UNSET

    class Document(Struct, **options):
        schema_version: str
        doc_id: str
        text: str
        text_sha256: str
        metadata: Meta
        regions: list[Region] = []
        mentions: list[Mention] = []
        quotes: list[Quote] = []
        claims: list[Claim] = []
        event_mentions: list[EventMention] = []

    return msgspec.json.Decoder(Document).decode


def synthetic_shard(folder: Path, docs: int) -> Path:
    """Write the bench's synthetic corpus into ``folder`` as one shard; return the shard."""
    from newsanno.bench.synth import write_corpus

    write_corpus(folder, docs, per_shard=docs)
    [shard] = sorted((folder / "shards").glob("*.jsonl"))
    return shard


def parse_all(lines: list[bytes]) -> None:
    """The bench's stage a: orjson on every line."""
    import orjson

    for line in lines:
        orjson.loads(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()

    import orjson
    import pyarrow as pa
    import pyarrow.json as pj

    with tempfile.TemporaryDirectory(prefix="newsanno-floor-") as tmp:
        shard = synthetic_shard(Path(tmp), args.docs)
        lines = shard.read_bytes().splitlines()
        mb = shard.stat().st_size / 1e6
        print(f"{args.docs:,} documents, {mb:.1f} MB; best of {args.repeat}")
        floor = _best(args.repeat, lambda: parse_all(lines))
        print(f"orjson.loads per line             {floor:7.2f} s  (1.00x)")

        def show(name: str, seconds: float) -> None:
            print(f"{name:34s}{seconds:7.2f} s  ({seconds / floor:.2f}x)")

        try:
            decode = _msgspec_decoder()
        except ImportError:
            print("msgspec                           not installed (pip install msgspec)")
        else:

            def msgspec_all() -> None:
                for line in lines:
                    decode(line)

            show("msgspec, typed structs", _best(args.repeat, msgspec_all))

        from newsanno.read.lines import PARSE_OPTIONS

        show(
            "pyarrow.json.read_json, schema",
            _best(args.repeat, lambda: pj.read_json(shard, parse_options=PARSE_OPTIONS)),
        )
        one = pj.ReadOptions(use_threads=False, block_size=1 << 20)
        show(
            "  the same, one thread",
            _best(
                args.repeat,
                lambda: pj.read_json(shard, read_options=one, parse_options=PARSE_OPTIONS),
            ),
        )
        from newsanno.read.lines import SCHEMA
        from newsanno.read.native import READER_BUILT, NativeReader

        if READER_BUILT:
            reader = NativeReader(SCHEMA)
            data = shard.read_bytes()
            cut, start = [], 0  # pieces of whole lines, at most 8 MiB each, as a worker reads
            while start < len(data):
                stop = data.rfind(b"\n", start, start + (8 << 20)) + 1
                if stop <= start:  # one line longer than a piece
                    stop = data.find(b"\n", start) + 1 or len(data)
                cut.append(data[start:stop])
                start = stop

            def compiled() -> None:
                for piece in cut:
                    reader.read(piece)

            show("compiled reader (newsanno.read.native)", _best(args.repeat, compiled))
        else:
            print("compiled reader                   not built (run make)")
        import polars as pl

        show("polars.read_ndjson", _best(args.repeat, lambda: pl.read_ndjson(shard)))
        import duckdb

        def duck() -> None:
            con = duckdb.connect()
            con.execute(
                "SELECT count(*), sum(len(mentions)) FROM read_json(?, "
                "format='newline_delimited', maximum_object_size=100000000)",
                [str(shard)],
            ).fetchall()
            con.close()

        show("duckdb read_json", _best(args.repeat, duck))

        docs = [orjson.loads(line) for line in lines[:2000]]
        mentions = [m for d in docs for m in d["mentions"]]
        strings = {
            "mention ids": [m["id"] for m in mentions],
            "entity ids": [m["entity"] for m in mentions],
            "span texts": [m["span"]["text"] for m in mentions],
        }
        pa.array(["warm up"], type=pa.string())
        for name, values in strings.items():
            seconds = _best(args.repeat, lambda v=values: pa.array(v, type=pa.string()))
            print(f"pa.array, {name:24s}{seconds / len(values) * 1e9:7.0f} ns per value")


if __name__ == "__main__":
    main()
