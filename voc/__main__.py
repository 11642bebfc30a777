"""`python -m voc`: the same command line as `voc`."""

from voc.cli import main

main()
