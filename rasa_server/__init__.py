"""Everything the Rasa server process loads: its channels, its tracker store, its NLU components.

- `rest.RestInput` and `widget.WidgetInput`: the REST and socket.io channels
  (`credentials.yml`);
- `tracker_store.MaskingSQLTrackerStore`: the SQL store that masks secrets (`endpoints.yml`);
- `lock_store.RedisLockStore`: Rasa's Redis lock store with atomic tickets, shared by
  several Rasa processes (`endpoints.yml`, `RASA_PROCESSES`);
- `faults`: a French apology when the action server, Redis or the database fails;
- `nlu.FrenchNormalizer` and `nlu.UnreadableMessageGuard`: the French NLU components
  (`config.yml`).

Only this package imports Rasa itself; the action server uses rasa_sdk alone.
"""
