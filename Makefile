# The two commands: `make up` (run everything on the embedded default) and `make test`.
UV := scripts/uv
RUN := $(UV) run --frozen --all-packages

.PHONY: up test down status bootstrap proto schemas lint bench

up: bootstrap  ## Install what is missing, start Kafka, MongoDB server and every service, replay samples
	$(RUN) socialcare up $(ARGS)

test: bootstrap  ## Same set-up, then the whole suite (unit, integration, e2e, contract)
	$(RUN) socialcare infra up
	$(RUN) pytest $(ARGS)

down:  ## Stop every service and the local infrastructure
	$(RUN) socialcare down

status:
	$(RUN) socialcare status

bootstrap:
	@scripts/bootstrap

proto: bootstrap  ## Regenerate the gRPC stubs from proto/
	$(RUN) python scripts/generate_proto.py

lint: bootstrap
	$(RUN) ruff check .

schemas: bootstrap  ## Regenerate event JSON Schemas and AsyncAPI; refuses breaking changes
	$(RUN) python scripts/event_schemas.py
