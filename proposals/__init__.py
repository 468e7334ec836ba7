"""议提案: NPC deputies' suggestions and CPPCC proposals, one category module (spec.py)."""
