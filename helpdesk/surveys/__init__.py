"""CSAT after resolutions and NPS campaigns, answered natively on each channel (docs/surveys.md)."""
