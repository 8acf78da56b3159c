"""The sheets of an instrument workbook and their columns, in order: what the export writes
and the import expects. Sheet and column names are fixed identifiers (like the columns of the
other imports), the same in every language, so that a file made in one language imports in
the other."""
INSTRUMENT = "instrument"
DIMENSIONS = "dimensions"
INDICATORS = "indicators"
RUBRIC = "rubric_levels"
BANDS = "bands"
SHEETS = (INSTRUMENT, DIMENSIONS, INDICATORS, RUBRIC, BANDS)

COLUMNS = {
    INSTRUMENT: ("methodology", "code", "version", "name_id", "name_en", "purpose", "status",
                 "source_note", "source_note_id"),
    DIMENSIONS: ("code", "order", "name_id", "name_en", "weight", "is_survey", "rollup",
                 "status", "source_note", "source_note_id"),
    INDICATORS: ("code", "dimension", "order", "component", "text_id", "text_en",
                 "evidence_id", "evidence_en", "guidance_id", "guidance_en", "weight", "scale",
                 "source_kind", "per_product", "standing", "active", "status", "source_note",
                 "source_note_id"),
    RUBRIC: ("indicator", "level", "description_id", "description_en"),
    BANDS: ("lower_bound", "upper_bound", "category", "label_id", "label_en", "zone"),
}
REQUIRED = {
    INSTRUMENT: ("code", "version", "name_id", "name_en", "purpose"),
    DIMENSIONS: ("code", "name_id", "name_en", "weight"),
    INDICATORS: ("code", "dimension", "text_id", "text_en", "scale"),
    RUBRIC: ("indicator", "level", "description_id"),
    BANDS: ("lower_bound", "upper_bound", "label_id"),
}
