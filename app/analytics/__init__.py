"""The analytics engine: typed functions over a Session; no Flask, no Dash, no commits."""
