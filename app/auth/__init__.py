"""Staff login, logout and the access gate."""
