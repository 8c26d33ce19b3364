"""The demo deals: real deals with their inquiries and sourced events (`data`), the service that
writes them (`loader`) and `manage.py load_demo`, which `make run` uses."""
