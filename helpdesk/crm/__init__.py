"""The CRM side of the core: companies, typed attributes, segments, import and export."""
