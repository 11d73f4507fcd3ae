# The two commands that matter: `make dev` and `make test`. See README.md.
.PHONY: dev test build install bench fmt lint clean

dev:      ## install, build, start sim + worker + console with the demo organisation
	@bash scripts/dev.sh

test:     ## install, build, run every test suite, print one summary
	@bash scripts/test.sh

build:    ## build the worker (edge/build) and the console (dist)
	@bash scripts/install.sh
	@bash scripts/build.sh

bench:    ## measure: 100k-member sync (seconds, worker memory), 1 000-event storm
	@bash scripts/bench.sh

install:  ## install missing tools (idempotent)
	@bash scripts/install.sh

fmt:
	cargo fmt --all

lint:
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings

clean:
	rm -rf target dist edge/build .wrangler .run   # .wrangler holds local D1/KV and sim state
