"""``python -m socint``: the same command line as the ``socint`` console script."""

from socint.cli import main

if __name__ == "__main__":
    main()
