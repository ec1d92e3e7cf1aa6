"""Text formats: s-expressions, literals, WAT instructions and bodies, .wast scripts."""
