"""Figures and maps (matplotlib and folium are imported inside the plotting functions)."""
