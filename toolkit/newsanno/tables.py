"""Export table schemas (filled in by the export module)."""
