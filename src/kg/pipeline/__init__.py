"""`kg build`: load, infer, validate, write (kg.pipeline.build is the one entry)."""
