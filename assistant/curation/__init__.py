"""How trainers change the knowledge base: the rules every upload surface applies."""
