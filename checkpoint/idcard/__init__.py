"""Resident ID card readers (二代身份证阅读器, GA/T 467 "SAM" frames): frames, card text, driver,
simulator. The photo is never decoded nor kept (data minimisation)."""
