"""The voice kiosk process (`python -m kiosk`): the loop that greets, listens, asks the
assistant over REST and speaks, one person after another. Its stages (microphone, end of
speech, recognition, speech) are in the `voice` package."""
