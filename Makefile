# The two commands of the README: `make run` and `make test`. Both install what is missing first.
BUILD_DIR ?= build
BUILD_TYPE ?= Release
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

SAN_DIR ?= build-sanitize
# Every finding is fatal and named: the suite fails on the first one.
SAN_ENV = ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1:strict_string_checks=1:detect_stack_use_after_return=0 \
          UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
          LSAN_OPTIONS=suppressions=$(CURDIR)/tests/sanitizer/lsan.supp:print_suppressions=0

.PHONY: deps build run test test-sanitize bench bench-policies fuzz clean

deps:
	@bash scripts/install-deps.sh

$(BUILD_DIR)/CMakeCache.txt:
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE)

build: deps $(BUILD_DIR)/CMakeCache.txt
	cmake --build $(BUILD_DIR) -j$(JOBS)

run: build
	./$(BUILD_DIR)/switchboard

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure --timeout 600

# The same suite, built with AddressSanitizer + UndefinedBehaviorSanitizer (CI runs both).
test-sanitize: deps
	cmake -S . -B $(SAN_DIR) -DCMAKE_BUILD_TYPE=Debug -DSWITCHBOARD_SANITIZE=ON
	cmake --build $(SAN_DIR) -j$(JOBS)
	cd $(SAN_DIR) && $(SAN_ENV) ctest --output-on-failure --timeout 900

bench: build
	@bash scripts/install-deps.sh --bench
	bash bench/run.sh $(BENCH_ARGS)

# The load-balancing policies compared over misbehaving fake upstreams (bench/policies.py).
bench-policies: build
	python3 bench/policies.py $(POLICY_BENCH_ARGS)

# Every fuzz target under clang's libFuzzer with ASan+UBSan, FUZZ_SECONDS each (scripts/fuzz.sh).
FUZZ_DIR ?= build-fuzz
FUZZ_SECONDS ?= 600
fuzz:
	@bash scripts/install-deps.sh --fuzz
	cmake -S . -B $(FUZZ_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
	      -DSWITCHBOARD_FUZZ=ON
	cmake --build $(FUZZ_DIR) -j$(JOBS)
	bash scripts/fuzz.sh $(FUZZ_DIR) $(FUZZ_SECONDS)

clean:
	rm -rf $(BUILD_DIR) $(SAN_DIR) $(FUZZ_DIR)
