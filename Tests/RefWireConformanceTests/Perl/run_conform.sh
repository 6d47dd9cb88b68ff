#!/bin/sh
# run_conform.sh REFWIRE [SERIALIZER [COMPRESSION]]
#
# Runs `REFWIRE conform` against session_server.pl (started here on a free port, stopped
# by closing its standard input) and against session_client.pl, with one serializer
# (default nstorable) and compression (0 or 1, default 0). Exits 1 if either run failed.
set -u
REFWIRE=${1:?usage: run_conform.sh REFWIRE [SERIALIZER [COMPRESSION]]}
SER=${2:-nstorable}
ZLIB=${3:-0}
HERE=$(cd "$(dirname "$0")" && pwd)
FLAGS="--serializer $SER"
[ "$ZLIB" = 1 ] && FLAGS="$FLAGS --compress"
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
mkfifo "$DIR/stdin"
perl "$HERE/session_server.pl" "$SER" "$ZLIB" 0 < "$DIR/stdin" > "$DIR/port" &
SERVER=$!
exec 3> "$DIR/stdin"     # the server's standard input: closing it stops the server
i=0
while [ ! -s "$DIR/port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
PORT=$(head -n 1 "$DIR/port")
STATUS=0
echo "# server (perl session_server.pl $SER $ZLIB) on port $PORT"
"$REFWIRE" conform --server "127.0.0.1:$PORT" $FLAGS || STATUS=1
exec 3>&-
wait $SERVER
echo "# client (perl session_client.pl $SER $ZLIB)"
"$REFWIRE" conform --client "perl '$HERE/session_client.pl' $SER $ZLIB" $FLAGS || STATUS=1
exit $STATUS
