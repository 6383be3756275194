"""Two app instances behind nginx (deploy/multi.py): the end-to-end tests of issue 20."""
