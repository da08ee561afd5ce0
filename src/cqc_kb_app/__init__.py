"""The Streamlit front end of cqc-kb: one module per page (see app.py), shared parts in common.py
and the HTML rendering of report evidence in html.py."""
