"""Experiments of the course notebooks, reusable from more than one notebook (plain numbers in, plain numbers out)."""
