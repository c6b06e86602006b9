# Set-up and the two jobs of the README. `make run` / `make test` work on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
OUT ?= out

.PHONY: install system-deps run test bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Debian's chromium renders the review report in the HTML screenshot test (skipped without it);
# tesseract with its Indonesian and English data OCRs scanned pages (OCR tests are skipped without it).
SYSTEM_PACKAGES := chromium tesseract-ocr tesseract-ocr-ind tesseract-ocr-eng
system-deps:
	@missing=""; command -v chromium >/dev/null 2>&1 || missing="yes"; \
	  command -v tesseract >/dev/null 2>&1 && tesseract --list-langs 2>/dev/null | grep -qx ind || missing="yes"; \
	  [ -z "$$missing" ] || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SYSTEM_PACKAGES) >/dev/null; } \
	      || echo "note: apt-get could not install $(SYSTEM_PACKAGES); the screenshot and OCR tests will be skipped"; \
	  else echo "note: $(SYSTEM_PACKAGES) not installed (needs root and apt-get); the screenshot and OCR tests will be skipped"; fi; }

# torch first, pinned: its CPU wheel is local; an unpinned torch would pull a multi-GB CUDA build.
install: $(BIN)/python system-deps
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e ".[dev]"

QUESTION ?= How does IOM carry out Haas's functions and INGO roles against human trafficking in Sambas and NTT?

run: install
	$(BIN)/nlp-iom extract seeds/*.txt --format json --out $(OUT)/extract
	$(BIN)/nlp-iom extract seeds/*.txt --format md --out $(OUT)/extract
	$(BIN)/nlp-iom annotate seeds -o $(OUT)/annotate
	$(BIN)/nlp-iom index add seeds --corpus $(OUT)/corpus
	$(BIN)/nlp-iom review "$(QUESTION)" --corpus $(OUT)/corpus -o $(OUT)/review
	@echo "wrote $(OUT)/annotate (documents, corpus.csv, exports) and $(OUT)/review/report.html"

test: install
	$(BIN)/python -m pytest -q

bench: install
	$(BIN)/python benchmarks/extract.py
	$(BIN)/python benchmarks/ner.py
	$(BIN)/python benchmarks/embed.py
	$(BIN)/python benchmarks/search.py
	$(BIN)/python benchmarks/annotate.py
	$(BIN)/python benchmarks/end_to_end.py

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache
