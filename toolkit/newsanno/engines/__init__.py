"""Execution: the serial validator over files (``local``), the bulk engine over JSONL shards on a
process pool (``bulk``), and the entry points that choose between them (``api``)."""
