"""Hardware drivers, each with a simulated twin behind the same interface."""
