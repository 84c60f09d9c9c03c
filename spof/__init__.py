"""Offline engine, SPOF rules and command line of the shop: prove that no single failure takes it down."""
