"""The edge kinds a Graphviz drawing of an execution can show (``properties.render.dot_graph``),
apart from the drawing itself so that the command line can offer them without importing it."""

EDGE_KINDS = ("po", "rf", "hb", "sync", "tot", "spawn")
"""Program order, reads-from (one edge per writer and reader), happens-before (its transitive
reduction, without the pairs po draws), synchronises-with (``hb.sync_edges``), the witness
total order (consecutive pairs) and spawn edges."""
DEFAULT_EDGES = ("po", "rf")
