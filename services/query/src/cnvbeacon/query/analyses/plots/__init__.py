"""Server-side SVG figures of the analyses (matplotlib, object API, no pyplot state)."""
