"""The export in the forms other tools read: Croissant metadata, schema.org claims (JSON-LD)."""
