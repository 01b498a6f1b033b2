#!/bin/sh
# Moves this host's example application (app.py) to a version: stops it, records the version,
# starts it again in its own session, so it outlives this command (a node command's process
# group ends with it; a real one would `systemctl restart` its service instead).
# Usage: APP_DIR=DIR APP_PORT=PORT upgrade.sh [VERSION]   (default: $CHORUS_ROLLOUT_TO)
set -eu
version=${1:-$CHORUS_ROLLOUT_TO}
here=$(cd "$(dirname "$0")" && pwd)
if [ -f "$APP_DIR/app.pid" ]; then
    pid=$(cat "$APP_DIR/app.pid")
    kill "$pid" 2>/dev/null || true
    # Gone, or a zombie its parent has not reaped yet: either way its port is free. A process
    # that ignores SIGTERM (a blocked signal is inherited) gets SIGKILL after 3 s.
    waited=0
    while kill -0 "$pid" 2>/dev/null && [ "$(cut -d' ' -f3 "/proc/$pid/stat" 2>/dev/null)" != Z ]; do
        waited=$((waited + 1))
        [ "$waited" -eq 60 ] && kill -9 "$pid" 2>/dev/null
        sleep 0.05
    done
fi
printf '%s\n' "$version" > "$APP_DIR/version"
setsid python3 "$here/app.py" --port "$APP_PORT" --dir "$APP_DIR" >> "$APP_DIR/app.log" 2>&1 < /dev/null &
echo "upgraded to $version"
