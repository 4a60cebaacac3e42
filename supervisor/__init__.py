"""`make run`: starts the whole assistant on this machine and stops it all on Ctrl-C."""
