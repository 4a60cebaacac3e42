"""`make run`: starts the whole assistant on this machine, restarts what dies, stops it all on Ctrl-C."""
