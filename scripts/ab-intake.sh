#!/bin/bash
# Intake A/B: two vigia binaries alternated, three runs each, on a fresh
# throwaway Redis, at concurrency 16 (BENCHMARKS.md). Prints each run's
# intake row (engine tips/s, p50, p99, raw op/s, p50, p99, ratio, indexed
# tips/s, ratio) and CPU row (bot and Redis µs per tip, then per raw op).
#   go build -o /tmp/vigia-old . (at the old commit); go build -o /tmp/vigia-new .
#   scripts/ab-intake.sh /tmp/vigia-old /tmp/vigia-new [port]
set -eu
old=$1 new=$2 port=${3:-6391}
redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true
sleep 0.5
redis-server --port "$port" --save '' --appendonly no --daemonize yes >/dev/null
trap 'redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true' EXIT
sleep 0.5
export VIGIA_REDIS_URL=redis://127.0.0.1:$port/0
for i in 1 2 3; do
	for v in old new; do
		bin=$old
		[ "$v" = new ] && bin=$new
		echo "== $v $i"
		"$bin" bench --sizes 1 --concurrency 16 --intake 5000 --queries 0 --mem-tips 0 --prefix "ab-$v-$i" 2>&1 | grep -E '^16 '
	done
done
