"""The litmus tool: file format, conditions, the engine, the SC machine, herd's result block."""
