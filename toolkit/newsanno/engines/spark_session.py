"""A SparkSession for the command line, with Spark's log in a file (never on the terminal)."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from newsanno.model.findings import NewsannoError

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

PYSPARK_MISSING = (
    "the Spark engine needs pyspark: pip install 'newsanno[spark]' "
    "(in a checkout: pip install -e '.[spark]')"
)


def require_pyspark() -> None:
    """Raise a clear error when pyspark is not installed."""
    try:
        import pyspark  # noqa: F401
    except ImportError as exc:
        raise NewsannoError(PYSPARK_MISSING) from exc


LOG4J = """\
rootLogger.level = info
rootLogger.appenderRef.file.ref = file
appender.file.type = File
appender.file.name = file
appender.file.fileName = {log}
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = %d{{yy/MM/dd HH:mm:ss}} %p %c{{1}}: %m%n
"""


def log_file() -> Path:
    """Where Spark's own log (log4j, and anything the JVM prints) goes for a CLI run."""
    folder = Path(tempfile.gettempdir()) / "newsanno-spark"
    folder.mkdir(exist_ok=True)
    return folder / f"spark-{os.getpid()}.log"


def start_session(master: str | None = None, log: Path | None = None) -> SparkSession:
    """A SparkSession for the CLI (``master``: ``local[2]``, ``spark://host:7077``, ``yarn``;
    None: what spark-submit says, else ``local[*]``). Spark's log and the JVM's standard error
    go to ``log`` (default :func:`log_file`), never to the terminal; a Spark that cannot start
    (no Java) is a one-line :class:`NewsannoError` naming that file."""
    import sys
    import warnings

    require_pyspark()
    # PySpark warns, once per job, that it does not fully support pandas 3: the engine hands
    # Spark Arrow batches only (mapInArrow, applyInArrow), never pandas frames, so it is noise
    warnings.filterwarnings(
        "ignore", message="PySpark does not yet fully support pandas", category=FutureWarning
    )
    log = log or log_file()
    if not (shutil.which("java") or os.environ.get("JAVA_HOME")):
        raise NewsannoError(
            "Spark cannot start: it needs Java 17, and there is no `java` on PATH and no "
            "JAVA_HOME (on Debian: apt-get install openjdk-17-jre-headless)"
        )
    config = log.with_suffix(".log4j2.properties")
    config.write_text(LOG4J.format(log=log), encoding="utf-8")
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # executors run this Python
    builder = SparkSession.builder.appName("newsanno")
    if master:
        builder = builder.master(master)
    options = f"-Dlog4j2.configurationFile={config.as_uri()}"
    builder = (
        builder.config("spark.driver.extraJavaOptions", options)
        .config("spark.executor.extraJavaOptions", options)
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "1000")
    )
    if (master or "local").startswith("local"):
        builder = builder.config("spark.ui.enabled", "false")
    # the JVM inherits standard error as it starts: send it (and its children's) to the log
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with log.open("ab") as handle:
            os.dup2(handle.fileno(), 2)
            try:
                return builder.getOrCreate()
            except Exception as exc:
                raise NewsannoError(
                    f"Spark could not start ({type(exc).__name__}); its log: {log}"
                ) from exc
    finally:
        os.dup2(saved, 2)
        os.close(saved)
