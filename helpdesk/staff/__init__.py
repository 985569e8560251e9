"""Identity and access: who may read and act on what, presence, system assignment."""
