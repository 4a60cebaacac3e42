"""Voice kiosk of Passerelle: microphone, end of speech, Vosk, espeak-ng, and the loop.

One module per stage (as Rhasspy 3 does): `mic`, `vad`, `asr`, `tts`, `normalize`,
`models`, `kiosk`, with one typed configuration object in `config`.
"""
