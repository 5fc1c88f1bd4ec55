"""`make bench`: figures on a 1,000,000-order demo database, each beside its baseline."""
