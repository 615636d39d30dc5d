"""The rules: JSON Schema structure, the meaning checks of a document and of the world, the lints,
and the cross-document lints. Findings are data (:class:`newsanno.model.findings.Finding`)."""
