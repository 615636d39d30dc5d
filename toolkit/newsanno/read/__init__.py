"""Reading: YAML 1.2, JSON and JSONL readers that keep positions, the compiled JSONL reader, and
text anchors (W3C TextQuoteSelector-style spans resolved to code-point offsets)."""
