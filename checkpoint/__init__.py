"""checkpoint: screening log for epidemic checkpoints."""

__version__ = "0.1.0"
