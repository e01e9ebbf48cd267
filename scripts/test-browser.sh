#!/bin/sh
# `npm run test:browser`: the Chromium test of /proctor and /take/{token} (test/browser/).
# As root it runs inside a fresh network namespace with only loopback up (`unshare --net`): WebRTC between the two
# headless pages then has one interface to gather candidates on, and nothing outside can interfere. The test needs
# nothing from the host's network (embedded PostgreSQL listens on the namespace's loopback; no Redis).
# CHROMIUM_PATH overrides /usr/bin/chromium.
set -eu
cd "$(dirname "$0")/.."
run="npx jest --config jest.browser.config.js $*"
if [ "$(id -u)" = "0" ] && command -v unshare >/dev/null 2>&1 && command -v ip >/dev/null 2>&1 &&
  unshare --net true 2>/dev/null; then
  # a database URL of the host would be unreachable in the namespace: the embedded PostgreSQL is used instead
  exec env -u TEST_DATABASE_URL -u DATABASE_URL unshare --net sh -c "ip link set lo up && $run"
fi
echo "test:browser: not root, or no unshare or ip: running on the host's network" >&2
exec sh -c "$run"
