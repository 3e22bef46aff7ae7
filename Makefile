# The two commands a newcomer needs: `make run` and `make test`.
# Both create the virtual environment and install the pinned dependencies first.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

# RabbitMQ's management API, with an administrator's name: `jww broker setup` makes
# every process kind's user, its permissions and the topology through it.
BROKER_ADMIN ?= http://guest:guest@127.0.0.1:15672

.PHONY: run test test-unit test-integration test-faults tamper chaos bench clean broker broker-plugin os-tools screenshots

$(STAMP): pyproject.toml requirements.lock requirements-dev.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Python 3.11 is needed: set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $@

run: broker
	$(BIN)/jww run

# Idempotent: users keep their passwords (development ones under var/broker). With
# the feed and the broker user of every organisation of the sample directories.
broker: $(STAMP) broker-plugin
	$(BIN)/jww broker setup --admin-uri $(BROKER_ADMIN) --organisations

# The management plugin is off in a fresh RabbitMQ install; root can turn it on.
broker-plugin:
	@rabbitmq-plugins -q is_enabled rabbitmq_management >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then rabbitmq-plugins enable rabbitmq_management; \
	  else echo "RabbitMQ's management plugin is off: run 'sudo rabbitmq-plugins enable rabbitmq_management'" >&2; exit 1; fi; }

# Unit tests beside the rest, the broker-restarting faults last, alone (tests/run says why).
test: $(STAMP) broker-plugin os-tools
	tests/run

# OS packages the tests use: Prometheus's promtool checks the alert rules, Chromium and
# its driver run the browser tests (tests/browser). Root
# installs what is missing (Debian); anyone else is told the one command to run.
OS_PACKAGES := promtool:prometheus chromium:chromium chromedriver:chromium-driver
os-tools:
	@missing=""; for pair in $(OS_PACKAGES); do command -v $${pair%%:*} >/dev/null || missing="$$missing $${pair##*:}"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing$$missing (Debian packages the tests use)"; \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing >/dev/null || \
	      { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing >/dev/null; }; \
	  else echo "The tests need$$missing: run 'sudo apt-get install$$missing'" >&2; exit 1; fi; fi

# One tier at a time. test-unit needs neither RabbitMQ nor PostgreSQL; the other two
# use the real servers, as `make test` does.
test-unit: $(STAMP) os-tools
	$(BIN)/pytest tests/unit

test-integration: $(STAMP) broker-plugin
	$(BIN)/pytest tests/integration

# The two screenshots the README shows, from the browser tests' English run.
screenshots: $(STAMP) broker-plugin os-tools
	@mkdir -p docs
	JWW_DOCS_SCREENSHOTS=1 $(BIN)/pytest -q "tests/browser/test_caseworker_flow.py::test_a_caseworker_registers_a_client_agrees_a_plan_and_records_two_interventions[en]"

test-faults: $(STAMP) broker-plugin
	$(BIN)/pytest tests/faults

# The tamper campaign (issue 15): 1,000 changes per store kind, SQLite and PostgreSQL,
# each on a fresh copy of a realistic store; make test runs 25 of each.
tamper: $(STAMP)
	JWW_TAMPERS=1000 $(BIN)/pytest tests/tamper

# The fault campaign (issue 18): 10,000 commands over the HTTP API while the broker
# restarts 20 times (10 graceful, 10 hard), 10 workers and relays are SIGKILLed,
# PostgreSQL connections are killed every 5 s and one node of a 3-node cluster stops;
# on SQLite, then on PostgreSQL. Throw-away broker nodes only: the system broker is
# never restarted. Smaller: make chaos CHAOS_ARGS="--commands 2000 --no-cluster".
# make test runs a short one (tests/chaos). The JSON summary goes to var/chaos.json.
CHAOS_ARGS ?=
chaos: $(STAMP)
	@mkdir -p var
	$(BIN)/python -m chaos --json var/chaos.json $(CHAOS_ARGS)

bench: broker
	$(BIN)/python -m bench

clean:
	rm -rf var .pytest_cache
