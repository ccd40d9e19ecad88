# Two commands for a newcomer:  `make report`  (builds the 2022 report)  and  `make test`.
# Both create the virtual environment in .venv and install everything on first use.

PYTHON ?= python3
YEAR ?= 2022
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: report test validate setup docs clean

$(STAMP): pyproject.toml scripts/bootstrap.sh
	PYTHON=$(PYTHON) bash scripts/bootstrap.sh
	touch $(STAMP)

setup: $(STAMP)

report: $(STAMP)
	$(BIN)/informe build --year $(YEAR)

validate: $(STAMP)
	$(BIN)/informe validate --year $(YEAR)

test: $(STAMP)
	$(BIN)/python -m pytest tests outputs/2022/notebooks --nbval --nbval-current-env --nbval-sanitize-with tests/nbval-sanitize.cfg

docs: $(STAMP)
	$(BIN)/informe contract-doc
	$(BIN)/python -m informe.data.guide
	$(BIN)/python -m informe.report.figures
	$(BIN)/python -m informe.publish.sections

clean:
	rm -rf $(VENV) build .pytest_cache
