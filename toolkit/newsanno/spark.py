"""newsanno on Apache Spark, with a session you already have::

    from newsanno.spark import validate, export_dataset
    findings = validate(spark, "hdfs:///news/shards/*.jsonl", world="hdfs:///news/corpus.yaml")
    export_dataset(spark, "shards/", "dist/big")

The same checks as the local engine (:mod:`newsanno.engines.spark`); needs ``pip install
'newsanno[spark]'`` and Java 17.
"""

from newsanno.engines.spark import FINDING_COLUMNS, export_dataset, validate, validate_report

__all__ = ["FINDING_COLUMNS", "export_dataset", "validate", "validate_report"]
