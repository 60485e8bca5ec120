"""The web page: ask (practitioners) and curate (trainers), server-rendered with Jinja2."""
