// The slow tier's fuzz runs: the full search, unless FUZZ_RUNS says otherwise.
process.env.FUZZ_RUNS ??= '1000';
