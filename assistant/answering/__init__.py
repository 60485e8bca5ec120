"""The one answering pipeline: query clean-up, hybrid retrieval, the extractive (or LLM)
composer, scope, and the service every surface calls."""
