"""Intake formats: each turns one sender's payload into `AlertEvent`s, or refuses it.

Every parser is pure (no I/O, no clock) and strict about structure: a payload it cannot
read raises `PayloadError` naming the field (`alerts[2].labels.env`), never anything else,
so the HTTP layer answers 4xx and stores nothing. Values a sender may legitimately vary
(an unknown severity word, an over-long message) are tolerated the way the original
service tolerates them, because Alertmanager drops a 4xx for good.
"""
