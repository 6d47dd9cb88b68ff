#!/bin/sh
# run_conform.sh REFWIRE [SERIALIZER [COMPRESSION [SEALING]]]
#
# Runs `REFWIRE conform` against session_server.pl (started here on a free port, stopped
# by closing its standard input) and against session_client.pl, with one serializer
# (default nstorable), compression (0 or 1, default 0) and sealing (none, the default, or
# psk: both runs sealed with a pre-shared key made here by `REFWIRE keygen --psk`).
# Exits 1 if either run failed.
set -u
USAGE="usage: run_conform.sh REFWIRE [SERIALIZER [COMPRESSION [none|psk]]]"
REFWIRE=${1:?$USAGE}
SER=${2:-nstorable}
ZLIB=${3:-0}
SEAL=${4:-none}
HERE=$(cd "$(dirname "$0")" && pwd)
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
FLAGS="--serializer $SER"
[ "$ZLIB" = 1 ] && FLAGS="$FLAGS --compress"
PERL_SEALING=
case $SEAL in
none) ;;
psk)
    "$REFWIRE" keygen --psk --out "$DIR/psk" > /dev/null || exit 1
    FLAGS="$FLAGS --seal psk --seal-psk $DIR/psk"
    PERL_SEALING="sealing=psk psk_file=$DIR/psk"
    ;;
*) echo "$USAGE" >&2; exit 64 ;;
esac
mkfifo "$DIR/stdin"
perl "$HERE/session_server.pl" "$SER" "$ZLIB" 0 $PERL_SEALING < "$DIR/stdin" > "$DIR/port" &
SERVER=$!
exec 3> "$DIR/stdin"     # the server's standard input: closing it stops the server
i=0
while [ ! -s "$DIR/port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
PORT=$(head -n 1 "$DIR/port")
STATUS=0
echo "# server (perl session_server.pl $SER $ZLIB 0 $PERL_SEALING) on port $PORT"
"$REFWIRE" conform --server "127.0.0.1:$PORT" $FLAGS || STATUS=1
exec 3>&-
wait $SERVER
echo "# client (perl session_client.pl $SER $ZLIB $PERL_SEALING)"
"$REFWIRE" conform --client "perl '$HERE/session_client.pl' $SER $ZLIB $PERL_SEALING" $FLAGS || STATUS=1
exit $STATUS
