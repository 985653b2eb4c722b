"""Relations between articles (exact, near, rewrite) and the stories they form."""
