#!/usr/bin/env bash
# Runs PostgreSQL's own regression suite through Exodus, as the test suite does (RegressionSuiteThroughExodusTest):
# on fresh servers, through phase direct and through dual-write under both-required and under two-phase-commit, each
# dual-write run followed by a comparison of source and target.
# docs/regression-suite.md says how to read the report.
#
# Usage: scripts/regression-suite/run.sh [--direct] [--dual-write-only] [--policy=POLICY]
#   --direct            also run the suite straight on a server, without Exodus (checks the suite against the server)
#   --dual-write-only   only the dual-write run
#   --policy=POLICY     only the dual-write run under this policy (both-required or two-phase-commit, each judged by
#                       its own known list)
# The report: integration-tests/target/regression-suite/report.txt; each run's output, diffs and lists beside it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

direct=false
policy=
selection=RegressionSuiteThroughExodusTest
for argument in "$@"; do
    case "$argument" in
        --direct) direct=true ;;
        --dual-write-only) selection='RegressionSuiteThroughExodusTest#throughDualWrite*' ;;
        --policy=*) policy="${argument#--policy=}" ;;
        *) echo "usage: $0 [--direct] [--dual-write-only] [--policy=POLICY]" >&2; exit 2 ;;
    esac
done

rm -f integration-tests/target/regression-suite/report.txt
status=0
./mvnw -B -q verify -pl integration-tests -am -Dtest="$selection" -Dsurefire.failIfNoSpecifiedTests=false \
    -Dexodus.regress.direct="$direct" -Dexodus.regress.policy="$policy" || status=$?
echo
cat integration-tests/target/regression-suite/report.txt 2>/dev/null || echo "no report: the runs did not start"
exit "$status"
