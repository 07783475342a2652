"""`python -m cli ...` is `faqbot ...` (the gunicorn master starts `deliver` this way)."""

from cli import main

main()
