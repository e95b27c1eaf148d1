"""The shared bottom layer: months, ages, validators, form inputs and PDF rendering.

Nothing here imports an app; every app may import from here (like healthchecks' hc/lib).
"""
