# Starling: the two quick-start commands are `make run` and `make test`.
BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
JOBS       ?= $(shell nproc)
CMAKE_GEN  := $(shell command -v ninja >/dev/null 2>&1 && echo "-G Ninja")
# Debian's python3 has python3-redis; the first python3 on PATH may not.
PYTHON     ?= /usr/bin/python3
FUZZ_SECONDS ?= 60
DST_MINUTES ?= 60

.PHONY: all deps build test run format lint asan fuzz clean dst-long

all: build

deps:
	@./deploy/install-deps.sh

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

test: deps
	@$(MAKE) --no-print-directory build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 900
	@$(MAKE) --no-print-directory fuzz
	cd $(FUZZ_BUILD) && ctest --output-on-failure -L fuzz

run: deps
	@$(MAKE) --no-print-directory build
	./deploy/local/run.sh $(BUILD)

format:
	git ls-files '*.h' '*.cc' | xargs clang-format-14 -i

lint: $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)
	git ls-files '*.cc' | grep -v '^bench/' | xargs -P $(JOBS) -n 4 clang-tidy-14 -p $(BUILD) --quiet \
	  --extra-arg=-Wno-unknown-warning-option

asan: deps
	cmake -S . -B $(ASAN_BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Debug -DSTARLING_SANITIZE=ON
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --output-on-failure -j $(JOBS) --timeout 1800

fuzz: deps
	cmake -S . -B $(FUZZ_BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DSTARLING_FUZZ=ON
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target fuzz_targets
	@echo "fuzz: targets built; run them with: cd $(FUZZ_BUILD) && ctest -L fuzz"

# The deterministic simulator for as long as asked: `make dst-long DST_MINUTES=60`.
dst-long: $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS) --target starling-dst
	$(BUILD)/starling-dst --minutes $(DST_MINUTES)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
