"""Models of the mace app."""
