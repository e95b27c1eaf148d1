"""`make bench`: run.py is the entry point; prepare, measure (with timing and load) and table its steps."""
