"""Voice stages shared by the kiosk and the widget's "Écouter": one module per stage.

As Rhasspy 3 does: `mic` (microphone and speakers), `vad` (end of speech), `asr` (speech
to text), `tts` (text to speech), `normalize` (text made ready to be spoken), `audio`
(WAV and PCM), `models` (the recognition model), with one typed configuration object in
`config`. The kiosk's loop is the `kiosk` package; the widget's web app uses `tts`.
"""
