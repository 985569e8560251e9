run:
	bash scripts/run.sh

test:
	bash scripts/test.sh

.PHONY: run test
