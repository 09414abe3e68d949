# `make lab`  : set up .venv (once) and open the course in JupyterLab
# `make test` : set up .venv with the test tools (once) and run every test and notebook
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PORT   ?= 8888
# one token per run (a simply expanded variable, so the printed token is the one the server uses)
ifndef TOKEN
TOKEN := $(shell $(PYTHON) -c "import secrets; print(secrets.token_hex(16))")
endif
# JupyterLab refuses to start as root without this flag
ROOT_FLAG := $(shell [ "$$(id -u)" = "0" ] && echo --allow-root)

.PHONY: lab test unit notebooks test-seeds bench student test-numpy1 clean

$(VENV)/.lab-stamp: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[lab]"
	@touch $@

$(VENV)/.dev-stamp: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $@ $(VENV)/.lab-stamp

lab: $(VENV)/.lab-stamp
	@echo "Opening the course: http://127.0.0.1:$(PORT)/lab?token=$(TOKEN)"
	@echo "(port $(PORT), token $(TOKEN); stop with Ctrl-C)"
	$(VENV)/bin/jupyter lab course --ip=127.0.0.1 --port=$(PORT) \
	    --IdentityProvider.token=$(TOKEN) --ServerApp.port_retries=0 $(ROOT_FLAG) \
	    --LabApp.news_url=None --LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate \
	    --ServerApp.contents_manager_class=nncourse.slides.live.SlideshowContentsManager

# every test: every notebook under nbval and the package's tests (browser tests included), in one
# session on every core; a claim that fails is an error here, also in the student notebooks (where
# students get a note instead)
export NNCOURSE_STRICT_CLAIMS := 1
# one worker per core, each with one BLAS thread; a notebook's cells stay on one worker, and so do
# the tests that share a JupyterLab server or a graded class (see conftest.py)
PARALLEL := -n auto --dist loadgroup
ONE_BLAS_THREAD := OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
# the solution notebooks nbval runs are saved here with their outputs, for the slide-deck tests
EXECUTED := build/executed
test: $(VENV)/.dev-stamp
	rm -rf $(EXECUTED)
	$(ONE_BLAS_THREAD) NNCOURSE_EXECUTED=$(EXECUTED) $(PY) -m pytest $(PARALLEL) --nbval-lax -p no:cacheprovider \
	    solutions course tests

unit: $(VENV)/.dev-stamp
	$(ONE_BLAS_THREAD) $(PY) -m pytest $(PARALLEL) tests -m "not browser and not slow"

notebooks: $(VENV)/.dev-stamp
	$(ONE_BLAS_THREAD) $(PY) -m pytest $(PARALLEL) --nbval-lax -p no:cacheprovider solutions course

# every claim of the solution notebooks must hold for any seed: run them for NNCOURSE_SEED 1 to 4
# (make test runs seed 0)
SEEDS ?= 1 2 3 4
test-seeds: $(VENV)/.dev-stamp
	@for s in $(SEEDS); do echo "== NNCOURSE_SEED=$$s"; \
	    NNCOURSE_SEED=$$s $(ONE_BLAS_THREAD) $(PY) -m pytest $(PARALLEL) --nbval-lax -p no:cacheprovider -q solutions \
	    || exit 1; done

student: $(VENV)/.dev-stamp
	$(PY) -m nncourse student

# the unit tests again with the oldest numpy the package supports (1.26), in a venv of their own
OLD := .venv-numpy1
$(OLD)/.stamp: pyproject.toml
	@test -x $(OLD)/bin/python || $(PYTHON) -m venv $(OLD)
	$(OLD)/bin/python -m pip install --quiet --upgrade pip
	$(OLD)/bin/python -m pip install --quiet "numpy==1.26.4" -e ".[dev]"
	@touch $@

test-numpy1: $(OLD)/.stamp
	$(OLD)/bin/python -c "import numpy; assert numpy.__version__ == '1.26.4', numpy.__version__"
	$(ONE_BLAS_THREAD) $(OLD)/bin/python -m pytest $(PARALLEL) tests -m "not browser" -p no:cacheprovider

bench: $(VENV)/.dev-stamp
	$(PY) bench/engine.py
	$(PY) bench/grading.py
	$(PY) bench/widgets.py

clean:
	rm -rf $(VENV) $(OLD) build *.egg-info .pytest_cache
