"""`python -m bench NAME`: run one benchmark (`python -m bench` lists them)."""

import importlib
import sys

BENCHMARKS = {"planner": "bench.planner"}


def main(argv: list[str]) -> int:
    names = argv or sorted(BENCHMARKS)
    for name in names:
        if name not in BENCHMARKS:
            print(f"Unknown benchmark {name!r}; known: {', '.join(sorted(BENCHMARKS))}")
            return 2
        importlib.import_module(BENCHMARKS[name]).main()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
