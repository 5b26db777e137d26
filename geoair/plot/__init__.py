"""Figures (matplotlib) and maps (folium); heavy libraries are imported inside the functions."""
