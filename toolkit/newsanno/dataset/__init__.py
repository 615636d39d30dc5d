"""The Parquet dataset: table specs and row builders (``tables``, ``variants``), writing with its
manifest, card and checksums (``write``), the loader back to pandas/Arrow and the model
(``loader``), corpus statistics (``stats``) and the generated files of ``schema/``."""
