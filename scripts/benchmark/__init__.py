"""vpce-guard vs Cloud Custodian on a moto server (scripts/bench runs `python -m benchmark`;
see cli.py for what one run does, and docs/performance.md).

Modules, each importing only those above it:
  settings     paths, Region, baseline, drift kinds, GUARD_READS, safe_env()
  console      log(), short(), BenchError
  ec2_model    EC2Model: EC2's answer latency and token buckets (RequestLimitExceeded), per the AWS doc
  proxy        CountingProxy: requests per AWS action, read cache, the EC2 model, phases
  moto_server  patch_moto(), run_moto_server() (`python -m benchmark.moto_server`), Moto
  seeding      the VPC fleet, the SNS topic, the drift
  processes    one compliance-sweep invocation (run_sweep), /usr/bin/time -v, stopping it
  custodian    the Custodian policy and one `custodian run`
  measure      bench_size(), remediate_fleet(), measure_backend(), moto_read_floor()
  scenarios    the EC2-model scenarios (day-one, day-one-remediate, steady): run_scenarios()
  report       machine(), versions(), print_table(), print_model_table(), quick_checks()
  cli          the options and main()
"""
