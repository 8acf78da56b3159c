"""An instrument as an .xlsx workbook, both ways: one sheet per table (the instrument, its
dimensions, indicators and rubric levels, and the bands of its methodology), read back by an
import that checks everything before it writes anything.

The workbook is the administrator's way to publish a new version of an instrument: export the
current one, change it, import it under a new version label. An import never edits an existing
instrument (a round may use it and must keep its figures); it creates a new version or refuses.
Bands belong to the methodology, which every round of it shares, published ones included: the
bands sheet is there to be read and is checked on import (it must cover the published scale
without gaps or overlaps, and say what the methodology holds), but an import never changes them.
"""
