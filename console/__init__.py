"""Counsellor console: a private web page to review how job seekers use the assistant."""
