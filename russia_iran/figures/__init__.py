"""Chart functions, one module per subject; each returns a finished chart (see charts.finish)."""
