run:
	bash scripts/run.sh

test:
	bash scripts/test.sh

# Every main page in each mode as PNG in var/screenshots/, and the inbox's first-load weight.
screenshots:
	bash scripts/bootstrap.sh
	.venv/bin/python scripts/screenshots.py

.PHONY: run test screenshots
