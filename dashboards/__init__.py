"""The Streamlit dashboard for bank quality teams: run with `voc dashboard`."""
