"""`python -m bench`: see bench/run.py (the work lives there so fresh processes can import it)."""

from bench.run import main

main()
