"""Citation-grounded question answering over news articles."""
