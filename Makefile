# The two commands: `make up` (run everything on the embedded default) and `make test`.
UV := scripts/uv
RUN := $(UV) run --frozen --all-packages
# The stack's own commands need the runtime packages only; uv run leaves test packages a
# previous `make test` installed where they are.
APP := $(RUN) --no-dev

.PHONY: up test down status logs bootstrap bootstrap-tests proto schemas lint bench

up: bootstrap  ## Install what is missing, start Kafka, MongoDB server and every service, replay samples
	$(APP) socialcare up $(ARGS)

# Kafka and the MongoDB server are left running so the next run starts at once (CI
# included); the closing lines say so and how to stop them, whatever pytest returned.
test: bootstrap-tests  ## Test packages and chromium too, then the whole suite (unit, integration, e2e, contract)
	$(RUN) socialcare infra up
	@$(RUN) pytest $(ARGS); status=$$?; \
	  $(RUN) socialcare infra status; \
	  echo "Kafka and the MongoDB server above are still running, kept for the next make test;" \
	       "stop them with: make down"; \
	  exit $$status

down:  ## Stop every service and the local infrastructure
	$(APP) socialcare down

status:  ## Infrastructure and services: pid, health, readiness
	$(APP) socialcare status

logs:  ## The end of one log: make logs NAME=router-worker [ARGS=-f]
	$(APP) socialcare logs $(NAME) $(ARGS)

bootstrap:
	@scripts/bootstrap

bootstrap-tests:
	@scripts/bootstrap --tests

proto: bootstrap-tests  ## Regenerate the gRPC stubs from proto/
	$(RUN) python scripts/generate_proto.py

lint: bootstrap-tests
	$(RUN) ruff check .

schemas: bootstrap-tests  ## Regenerate event JSON Schemas and AsyncAPI; refuses breaking changes
	$(RUN) python scripts/event_schemas.py
