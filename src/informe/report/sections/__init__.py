"""Computations behind each report section. Each function returns a DataFrame, a Table or a figure."""
