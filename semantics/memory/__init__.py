"""The relaxed memory model: events, relations, hb, axioms, model variants, tot search."""
