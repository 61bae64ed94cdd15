"""vpce-guard vs Cloud Custodian on a moto server (scripts/bench runs `python -m benchmark`;
see cli.py for what one run does, and docs/performance.md).

Modules, each importing only those above it:
  settings     paths, Region, baseline, drift kinds, GUARD_READS, safe_env()
  console      log(), short(), BenchError
  proxy        CountingProxy: requests per AWS action, read cache, phases
  moto_server  patch_moto(), run_moto_server() (`python -m benchmark.moto_server`), Moto
  seeding      the VPC fleet, the SNS topic, the drift
  processes    one compliance-sweep invocation (run_sweep), /usr/bin/time -v, stopping it
  custodian    the Custodian policy and one `custodian run`
  measure      bench_size(), measure_backend(), moto_read_floor()
  report       machine(), versions(), print_table(), quick_checks()
  cli          the options and main()
"""
