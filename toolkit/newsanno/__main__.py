"""``python -m newsanno``."""

from newsanno.cli import main

main(prog_name="newsanno")
