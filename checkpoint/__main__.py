"""`python -m checkpoint` runs the same command line as `checkpoint`."""

from checkpoint.cli.main import main

main()
