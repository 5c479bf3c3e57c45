"""The domain model: one module per idea from the marketing texts.

Every function here works on whole populations at once (NumPy arrays with one
row per customer), so the model's step is vectorised. Each is small enough to
read against the textbook sentence it implements.
"""
